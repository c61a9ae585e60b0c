package io.freightline.gitwriter.steps.httpdownload;

import io.freightline.gitwriter.domain.GoDurations;
import io.freightline.gitwriter.domain.HttpRequests;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Downloads a file into the workspace (at most 100 MiB, as in Kargo). 5xx and 429 answers and transport errors are
 * retryable; other non-2xx answers are terminal. An existing file is kept unless {@code allowOverwrite}.
 */
@ApplicationScoped
public class HttpDownloadStep implements Step<HttpDownloadConfig> {
    static final long MAX_BYTES = 100L * 1024 * 1024;

    @Override
    public String name() {
        return "http-download";
    }

    @Override
    public Class<HttpDownloadConfig> configType() {
        return HttpDownloadConfig.class;
    }

    @Override
    public String schema() {
        return HttpDownloadConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(6);
    }

    @Override
    public boolean retryable() {
        return true;
    }

    @Override
    public String run(StepContext ctx, HttpDownloadConfig config) throws StepException {
        String out = ctx.workspace().resolve(config.outPath());
        if (out.isEmpty() || ctx.workspace().isDirectory(out)) {
            throw StepException.terminal(config.outPath(), "is a folder");
        }
        if (ctx.workspace().isFile(out) && !Boolean.TRUE.equals(config.allowOverwrite())) {
            throw StepException.terminal(config.outPath(), "already exists (allowOverwrite: true replaces it)");
        }
        Duration timeout = config.timeout() == null ? Duration.ofMinutes(5) : GoDurations.parse("timeout", config.timeout());
        List<Map.Entry<String, String>> query = new ArrayList<>();
        if (config.queryParams() != null) {
            config.queryParams().forEach(q -> query.add(Map.entry(q.name(), q.value())));
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(HttpRequests.uri(config.url(), query)).timeout(timeout).GET();
        if (config.headers() != null) {
            config.headers().forEach(h -> req.header(h.name(), h.value()));
        }
        String what = "GET " + Redact.text(config.url());
        HttpRequests.Answer a;
        try {
            a = HttpRequests.send(req, null, Boolean.TRUE.equals(config.insecureSkipTLSVerify()), MAX_BYTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepException.retryable(what + ": interrupted", e);
        }
        if (a.status() / 100 != 2) {
            String msg = what + " answered " + a.status();
            throw a.status() >= 500 || a.status() == 429 ? StepException.retryable(msg, null) : StepException.terminal(msg);
        }
        ctx.workspace().write(out, a.body());
        return "downloaded " + a.body().length + " bytes into " + out;
    }
}
