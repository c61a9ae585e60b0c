package io.freightline.reliability;

import io.freightline.devstack.DevStack;
import io.freightline.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Greps everything a run produced for the run's secrets: the services' logs, every record (value, key and headers)
 * on every topic, each service's {@code /q/metrics}, API answers, and the commit messages of the GitOps repository.
 */
public final class SecretScan {

    /** What was scanned and where a secret showed up. */
    public record Result(Map<String, Long> scanned, List<String> leaks) {
        public long bytes() {
            return scanned.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public static Result scan(Harness h, List<String> apiAnswers) {
        Map<String, Long> scanned = new LinkedHashMap<>();
        List<String> leaks = new ArrayList<>();
        // logs: everything under <home>/logs
        try (Stream<Path> files = Files.walk(h.home.resolve("logs"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                check(h, "log " + f.getFileName(), text, leaks);
                scanned.merge("logs", (long) text.length(), Long::sum);
            }
        } catch (IOException e) {
            leaks.add("cannot read logs: " + e);
        }
        // every topic, dead letters and state included
        List<String> topics = new ArrayList<>(Topics.all());
        for (String topic : topics) {
            long n = 0;
            for (ConsumerRecord<String, String> r : h.kafka.readAll(topic)) {
                StringBuilder sb = new StringBuilder();
                sb.append(r.key()).append('\n').append(r.value()).append('\n');
                for (Header hd : r.headers()) {
                    sb.append(hd.key()).append('=').append(hd.value() == null ? "" : new String(hd.value(), StandardCharsets.ISO_8859_1)).append('\n');
                }
                check(h, "topic " + topic + " offset " + r.partition() + "/" + r.offset(), sb.toString(), leaks);
                n += sb.length();
            }
            scanned.merge("topics", n, Long::sum);
        }
        // metrics
        for (String service : h.stack.services()) {
            Http.Reply r = Http.get(h.stack.url(service) + "/q/metrics", null);
            String body = r.body() == null ? "" : r.body();
            check(h, "metrics of " + service, body, leaks);
            scanned.merge("metrics", (long) body.length(), Long::sum);
        }
        // API answers collected by the caller
        for (String a : apiAnswers) {
            check(h, "API answer", a, leaks);
            scanned.merge("api", (long) a.length(), Long::sum);
        }
        // commit messages
        for (RevCommit c : h.repo.log()) {
            String m = c.getFullMessage() + c.getAuthorIdent() + c.getCommitterIdent();
            check(h, "commit " + c.name(), m, leaks);
            scanned.merge("commits", (long) m.length(), Long::sum);
        }
        return new Result(scanned, leaks);
    }

    private static void check(Harness h, String where, String text, List<String> leaks) {
        if (text == null) {
            return;
        }
        h.secrets.forEach((name, value) -> {
            if (value != null && value.length() >= 8 && text.contains(value)) {
                int at = text.indexOf(value);
                String context = text.substring(Math.max(0, at - 120), Math.min(text.length(), at + value.length() + 40))
                        .replace(value, "<" + name + ">").replace('\n', ' ');
                leaks.add(name + " in " + where + ": …" + context + "…");
            }
        });
    }

    private SecretScan() {
    }
}
