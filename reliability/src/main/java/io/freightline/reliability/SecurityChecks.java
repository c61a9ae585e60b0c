package io.freightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Authorization of every state-changing operation the engine's OpenAPI document lists (so a new endpoint cannot slip
 * through), and a grep of everything a run produced for its secrets.
 *
 * <pre>java -cp 'reliability/target/reliability-0.1.0-SNAPSHOT.jar:reliability/target/lib/*' \
 *   io.freightline.reliability.SecurityChecks</pre>
 */
public final class SecurityChecks {
    static final Set<String> STATE_CHANGING = Set.of("post", "put", "patch", "delete");
    static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    /** The operations issue #4 promises; the OpenAPI document must list each of them. */
    static final List<String> PROMISED = List.of(
            "post /api/v1/projects/{project}/stages/{stage}/promotions",
            "post /api/v1/projects/{project}/freight/{}/approve",
            "post /api/v1/projects/{project}/stages/{stage}/rollback",
            "post /api/v1/projects/{project}/stages/{stage}/pause",
            "post /api/v1/projects/{project}/stages/{stage}/resume",
            "post /api/v1/projects/{project}/promotions/{}/abort",
            "post /api/v1/projects/{project}/warehouses/{}/refresh",
            "post /api/v1/manifests");

    private final Harness h;
    private final Report report = new Report("security");
    /** Every API answer seen, for the secret grep. */
    private final List<String> answers = new ArrayList<>();

    public SecurityChecks(Harness h) {
        this.h = h;
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("freightline-security-");
        Report r;
        try (Harness h = Harness.start(home.resolve("demo"), true)) {
            SecurityChecks s = new SecurityChecks(h);
            s.exercise();
            s.authorization();
            s.secrets();
            r = s.report();
        }
        System.out.println(r.summary());
        System.exit(r.violations().isEmpty() ? 0 : 1);
    }

    public Report report() {
        return report;
    }

    /** One artifact through dev, staging and (by the promoter) prod, so logs, topics and commits hold real traffic. */
    public void exercise() {
        FaultCampaign.pushUntilAccepted(h, "3.1.4");
        String[] f = new String[1];
        BadInputCampaign.awaitQuietly(java.time.Duration.ofSeconds(180), () -> (f[0] = FaultCampaign.freightOfTag(h, "3.1.4")) != null
                && FaultCampaign.verifiedIn(h, f[0], "staging"));
        String freight = f[0];
        if (freight == null || !FaultCampaign.verifiedIn(h, freight, "staging")) {
            report.violation("3.1.4 did not become freight verified in staging: %s, staging folder %s", freight, h.repo.newTag("envs/staging"));
            return;
        }
        Http.Reply r = h.api.promote(Harness.PROJECT, "prod", freight, h.token("promoter"));
        answers.add(String.valueOf(r.body()));
        if (!r.is2xx()) {
            report.violation("promoter could not promote to prod: %s", r);
        }
        BadInputCampaign.awaitQuietly(java.time.Duration.ofSeconds(120), () -> "3.1.4".equals(h.repo.newTag("envs/prod")));
    }

    /** Every state-changing operation of the OpenAPI document: no token 401, viewer/other project/promoter-where-admin 403. */
    public void authorization() {
        Http.Reply doc = Http.get(h.api.base() + "/q/openapi?format=json", null);
        if (doc.status() != 200) {
            report.violation("OpenAPI document not served: %s", doc);
            return;
        }
        JsonNode paths = doc.json().path("paths");
        Map<String, String> operations = new LinkedHashMap<>();
        List<String> reads = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            var p = it.next();
            for (Iterator<String> m = p.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (STATE_CHANGING.contains(method)) {
                    operations.put(method + " " + p.getKey(), contentType(p.getValue().path(method)));
                } else if (method.equals("get") && p.getKey().startsWith("/api/")) {
                    reads.add(p.getKey());
                }
            }
        }
        report.figure("state-changing operations in the OpenAPI document", operations.size());
        if (operations.isEmpty()) {
            report.violation("the OpenAPI document lists no state-changing operation");
        }
        for (String promised : PROMISED) {
            String re = "^" + Pattern.quote(promised).replace("{}", "\\E\\{[^}]+}\\Q") + "$";
            if (operations.keySet().stream().noneMatch(k -> k.matches(re))) {
                report.violation("the OpenAPI document does not list %s", promised);
            }
        }
        long before = auditSize();
        String other = h.stack.tokens().get("admin@" + Harness.OTHER_PROJECT);
        String otherPromoter = h.stack.tokens().get("promoter@" + Harness.OTHER_PROJECT);
        int checks = 0;
        for (var op : operations.entrySet()) {
            String method = op.getKey().substring(0, op.getKey().indexOf(' ')).toUpperCase();
            String template = op.getKey().substring(op.getKey().indexOf(' ') + 1);
            String url = h.api.base() + fill(template);
            byte[] body = body(template, op.getValue());
            Map<String, Integer> expect = new LinkedHashMap<>();
            expect.put("no token", 401);
            expect.put("unknown token", 401);
            expect.put("viewer", 403);
            if (other != null) {
                expect.put("admin of another project", 403);
            }
            if (otherPromoter != null) {
                expect.put("promoter of another project", 403);
            }
            if (adminOnly(template)) {
                expect.put("promoter on an admin operation", 403);
            }
            // authentication comes before anything else: no token and an empty body is still 401, not 400
            Http.Reply bare = Http.send(method, url, null, op.getValue(), new byte[0], Map.of());
            answers.add(String.valueOf(bare.body()));
            checks++;
            if (bare.status() != 401) {
                report.violation("%s %s without a token and with an empty body: %s (expected 401)", method, template, bare);
            }
            for (var e : expect.entrySet()) {
                String token = switch (e.getKey()) {
                    case "no token" -> null;
                    case "unknown token" -> "not-a-token-" + Harness.random();
                    case "viewer" -> h.token("viewer");
                    case "admin of another project" -> other;
                    case "promoter of another project" -> otherPromoter;
                    default -> h.token("promoter");
                };
                Http.Reply r = Http.send(method, url, token, op.getValue(), body, Map.of());
                answers.add(String.valueOf(r.body()));
                checks++;
                if (r.status() != e.getValue()) {
                    report.violation("%s %s as %s: %s (expected %d)", method, template, e.getKey(), r, e.getValue());
                }
            }
        }
        report.figure("authorization checks", checks);
        long after = auditSize();
        if (before >= 0 && after != before) {
            report.violation("the audit trail grew from %d to %d entries during the unauthorized calls", before, after);
        }
        int open = 0;
        for (String read : reads) {
            Http.Reply r = Http.get(h.api.base() + fill(read), null);
            if (r.status() != 401) {
                open++;
                report.line("GET %s without a token answers %d", read, r.status());
            }
            Http.Reply ok = Http.get(h.api.base() + fill(read), h.token("viewer"));
            answers.add(String.valueOf(ok.body()));
            Http.Reply admin = Http.get(h.api.base() + fill(read), h.token("admin"));
            answers.add(String.valueOf(admin.body()));
        }
        report.figure("read operations answering without a token", open);
    }

    public void secrets() {
        answers.add(String.valueOf(Http.get(h.api.base() + "/q/openapi?format=json", null).body()));
        SecretScan.Result r = SecretScan.scan(h, answers);
        report.figure("secret scan: bytes scanned", r.bytes());
        report.figure("secret scan: scanned by source", r.scanned());
        report.figure("secret scan: leaks", r.leaks().size());
        r.leaks().stream().limit(20).forEach(l -> report.violation("secret leak: %s", l));
    }

    private long auditSize() {
        Http.Reply r = h.api.get("/api/v1/projects/" + Harness.PROJECT + "/audit", h.token("admin"));
        return r.is2xx() ? EngineApi.items(r.json()).size() : -1;
    }

    /**
     * Admin-only per issue #4: everything state-changing except what a promoter does (promote, approve, abort, and
     * rollback/clear-hold, which the engine gives promoters too). A new endpoint is admin-only until classified here.
     */
    static boolean adminOnly(String template) {
        return !(template.matches(".*/stages/\\{[^}]+}/promotions$") || template.endsWith("/approve") || template.endsWith("/abort")
                || template.endsWith("/rollback") || template.endsWith("/clear-hold"));
    }

    private String fill(String template) {
        Matcher m = PARAM.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).toLowerCase();
            String value = name.contains("project") ? Harness.PROJECT
                    : name.contains("stage") ? "prod"
                    : name.contains("warehouse") ? "app"
                    : name.contains("freight") ? firstFreight() : "no-such-" + name;
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String freight;

    private String firstFreight() {
        if (freight == null) {
            try {
                List<JsonNode> all = h.api.freight(Harness.PROJECT, h.token("viewer"));
                freight = all.isEmpty() ? "no-such-freight" : all.get(0).path("id").asText("no-such-freight");
            } catch (RuntimeException e) {
                freight = "no-such-freight";
            }
        }
        return freight;
    }

    private static String contentType(JsonNode op) {
        JsonNode content = op.path("requestBody").path("content");
        Iterator<String> names = content.fieldNames();
        return names.hasNext() ? names.next() : "application/json";
    }

    private byte[] body(String template, String contentType) {
        if (template.endsWith("/manifests") || contentType.contains("yaml")) {
            return ("apiVersion: freightline.io/v1alpha1\nkind: Stage\nmetadata:\n  name: sneaky\n  namespace: " + Harness.PROJECT
                    + "\nspec:\n  requestedFreight:\n    - origin:\n        kind: Warehouse\n        name: app\n      sources:\n        direct: true\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
        if (template.endsWith("/promotions")) {
            return ("{\"freight\":\"" + firstFreight() + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        if (template.endsWith("/approve")) {
            return "{\"stage\":\"prod\"}".getBytes(StandardCharsets.UTF_8);
        }
        return "{}".getBytes(StandardCharsets.UTF_8);
    }
}
