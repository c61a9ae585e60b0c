package io.freightline.devstack;

import io.freightline.devstack.cli.Cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process against a running stack's engine, as the end-to-end tests do. */
final class CliRun {
    private CliRun() {
    }

    record Result(int code, String out, String err) {
    }

    /** Runs the CLI with the given role's token from the environment. */
    static Result cli(DevStack stack, String role, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>();
        env.put("FREIGHTLINE_SERVER", stack.url(DevStack.ENGINE));
        env.put("FREIGHTLINE_TOKEN", stack.tokens().get(role));
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env)
                .run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
