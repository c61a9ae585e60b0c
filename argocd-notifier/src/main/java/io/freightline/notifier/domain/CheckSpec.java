package io.freightline.notifier.domain;

import io.freightline.events.VerificationCheck;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A verification check's config, read from the promotion event's {@code verification[]}. */
public sealed interface CheckSpec {
    String name();

    String kind();

    /**
     * Polls a URL until it answers the expected status (and the condition holds on its JSON body) or the timeout
     * passes.
     */
    record Http(String name, String url, String method, Map<String, String> headers, String body, int expectedStatus,
                JsonCondition condition, Duration interval, Duration timeout, Duration requestTimeout)
            implements CheckSpec {
        @Override
        public String kind() {
            return "http";
        }
    }

    /**
     * Evaluates a PromQL query {@code evaluations} times spread over {@code window}; each evaluation passes when every
     * returned series satisfies {@code value <operator> threshold}; the check fails once more than
     * {@code failureLimit} evaluations fail.
     */
    record Prometheus(String name, String address, String query, String operator, double threshold, int evaluations,
                      Duration window, int failureLimit, Duration requestTimeout) implements CheckSpec {
        @Override
        public String kind() {
            return "prometheus";
        }

        /** The pause between evaluations. */
        public Duration interval() {
            return evaluations <= 1 ? Duration.ZERO : window.dividedBy(evaluations - 1);
        }

        public boolean passes(double value) {
            return switch (operator) {
                case "<" -> value < threshold;
                case "<=" -> value <= threshold;
                case ">" -> value > threshold;
                case ">=" -> value >= threshold;
                case "==" -> value == threshold;
                case "!=" -> value != threshold;
                default -> throw new IllegalStateException(operator);
            };
        }
    }

    /**
     * Reads a check; throws IllegalArgumentException naming the bad key.
     *
     * @param defaultPrometheus the configured Prometheus, used when the check names no {@code address}
     */
    static CheckSpec parse(VerificationCheck check, String defaultPrometheus) {
        Map<String, Object> c = check.config() == null ? Map.of() : check.config();
        String name = check.name() == null || check.name().isBlank() ? check.kind() : check.name();
        switch (check.kind() == null ? "" : check.kind()) {
            case "http" -> {
                String url = string(c, "url", null);
                if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                    throw new IllegalArgumentException("http check '" + name + "' needs an http(s) url");
                }
                Map<String, String> headers = new LinkedHashMap<>();
                if (c.get("headers") instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> headers.put(String.valueOf(k), String.valueOf(v)));
                }
                String cond = string(c, "condition", null);
                return new Http(name, url, string(c, "method", "GET").toUpperCase(java.util.Locale.ROOT), headers,
                        string(c, "body", null), (int) number(c, "expectedStatus", 200),
                        cond == null ? null : JsonCondition.parse(cond),
                        seconds(c, "intervalSeconds", 5), seconds(c, "timeoutSeconds", 60),
                        seconds(c, "requestTimeoutSeconds", 10));
            }
            case "prometheus" -> {
                String query = string(c, "query", null);
                if (query == null || query.isBlank()) {
                    throw new IllegalArgumentException("prometheus check '" + name + "' needs a query");
                }
                String address = string(c, "address", defaultPrometheus);
                if (address == null || address.isBlank()) {
                    throw new IllegalArgumentException("prometheus check '" + name
                            + "' has no address and freightline.notifier.prometheus.url is not set");
                }
                if (!(c.get("threshold") instanceof Number)) {
                    throw new IllegalArgumentException("prometheus check '" + name + "' needs a numeric threshold");
                }
                String op = string(c, "operator", "<=");
                if (!java.util.Set.of("<", "<=", ">", ">=", "==", "!=").contains(op)) {
                    throw new IllegalArgumentException("prometheus check '" + name + "' has unknown operator " + op);
                }
                int evaluations = (int) number(c, "evaluations", 1);
                if (evaluations < 1) {
                    throw new IllegalArgumentException("prometheus check '" + name + "': evaluations must be >= 1");
                }
                return new Prometheus(name, address, query, op, ((Number) c.get("threshold")).doubleValue(),
                        evaluations, seconds(c, "windowSeconds", 0), (int) number(c, "failureLimit", 0),
                        seconds(c, "requestTimeoutSeconds", 10));
            }
            default -> throw new IllegalArgumentException("unknown check kind '" + check.kind() + "'");
        }
    }

    private static String string(Map<String, Object> c, String key, String def) {
        Object v = c.get(key);
        return v == null ? def : String.valueOf(v);
    }

    private static double number(Map<String, Object> c, String key, double def) {
        Object v = c.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("check config '" + key + "' must be a number");
    }

    private static Duration seconds(Map<String, Object> c, String key, double def) {
        return Duration.ofMillis(Math.round(number(c, key, def) * 1000));
    }
}
