package io.freightline.template.run;

import java.util.List;
import java.util.Map;

/** The steps the runtime carries out itself, because they touch nothing but the promotion: compose-output, fail. */
final class BuiltinSteps {

    static List<StepExecutor> all() {
        return List.of(new ComposeOutput(), new Fail());
    }

    /** {@code compose-output}: its (rendered) config becomes its outputs. */
    static final class ComposeOutput implements StepExecutor {
        @Override
        public String name() {
            return "compose-output";
        }

        @Override
        public Outcome run(Call call) {
            return Outcome.succeeded(Map.copyOf(call.config()), null);
        }
    }

    /** {@code fail}: ends the promotion as Failed, with the configured message. */
    static final class Fail implements StepExecutor {
        @Override
        public String name() {
            return "fail";
        }

        @Override
        public Outcome run(Call call) {
            Object m = call.config().get("message");
            return Outcome.failed(m == null ? "failed by a fail step" : m.toString());
        }
    }

    private BuiltinSteps() {
    }
}
