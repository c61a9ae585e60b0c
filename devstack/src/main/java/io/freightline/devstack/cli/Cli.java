package io.freightline.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freightline.events.EventCodec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The {@code ./freightline} command line: a thin client of the promotion engine's REST API. Readable tables by
 * default, the API's JSON with {@code -o json}.
 */
public final class Cli {
    static final String USAGE = """
            Usage: ./freightline <command> [options]

              demo                                   run the embedded default until Ctrl-C
              get projects|stages|warehouses|freight|promotions|audit [NAME]
                                                     (get promotion ID also lists each step: alias, status, duration, error)
              promote  --stage S --freight ID|ALIAS  promote freight into a stage (older freight: a rollback)
              promote  --source-stage S --stage T --all
                                                     promote every freight verified in S into T (one per warehouse)
              create freight --warehouse W --image REPO:TAG|REPO@DIGEST [--chart URL[#NAME]@VERSION] [--git URL@COMMIT]
                                                     make freight by hand (freightCreationPolicy: Manual); each option
                                                     may repeat; subscriptions not given take their newest artifact
              approve  --stage S --freight ID|ALIAS  approve freight for a stage
              rollback --stage S [--freight ID|ALIAS] put the stage back on its last verified (or the given) freight
              clear-hold --stage S                   release the auto-promotion hold a rollback left
              abort    --promotion ID                abort a pending or running promotion
              pause    --stage S                     stop promotions into a stage (queued ones wait)
              resume   --stage S                     allow them again
              pause    --all / resume --all          the same for every stage of the project at once
              refresh  --warehouse W                 re-read a warehouse's sources now
              apply    -f FILE|DIR                   apply pipeline manifests (YAML; a folder is applied all or nothing)

            Options:
              --project P   the project (default: $FREIGHTLINE_PROJECT or demo)
              --server URL  the engine (default: $FREIGHTLINE_SERVER or http://127.0.0.1:8080)
              --token T     an API token (default: $FREIGHTLINE_TOKEN; ./freightline demo prints one per role)
              --reason R    why (kept in the audit trail) for promote, approve, rollback, abort, pause, resume, refresh
              -o json       print the API's JSON instead of a table
              get freight --warehouse W, get promotions --stage S, get audit --limit N filter the lists
            """;

    /**
     * Table columns per resource, in the engine's response shapes (promotion-engine/README.md): a header and
     * dotted paths into each item (the first path present wins; a path through a list collects from every
     * element), or a computed cell.
     */
    static final Map<String, List<Column>> COLUMNS = Map.of(
            "projects", List.of(col("NAME", "name"), col("STAGES", "stages"), col("WAREHOUSES", "warehouses"),
                    col("PAUSED BY", "paused.actor")),
            "stages", List.of(col("NAME", "name"), col("FREIGHT", "currentFreight.alias"),
                    col("ARTIFACTS", "currentFreight.artifacts"), col("VERIFIED", "lastVerifiedFreight.alias"),
                    col("HEALTH", "health"), computed("STATUS", Cli::stageStatus),
                    col("AUTO", "policy.autoPromotion"), computed("QUEUE", Cli::queueDepth)),
            "warehouses", List.of(col("NAME", "name"), computed("SUBSCRIPTIONS", Cli::subscriptions),
                    col("FREIGHT", "freightCount"), col("GENERATION", "generation")),
            "freight", List.of(col("ALIAS", "alias"), computed("ID", i -> shortened(i.path("id").asText(null), 12, "")),
                    col("WAREHOUSE", "warehouse"), col("ARTIFACTS", "artifacts"), col("CURRENTLY IN", "currentlyIn"),
                    col("VERIFIED IN", "verifiedIn"), col("APPROVED FOR", "approvedFor"), col("CREATED", "createdAt")),
            "promotions", List.of(col("ID", "id"), col("STAGE", "stage"), col("FREIGHT", "freightAlias", "freight"),
                    col("KIND", "kind"), col("STATE", "state"),
                    computed("COMMIT", i -> shortened(i.path("commitSha").asText(null), 10, "")),
                    col("BY", "requestedBy"), col("UPDATED", "updatedAt"), col("MESSAGE", "message", "reason")),
            "audit", List.of(col("TIME", "at"), col("ACTOR", "actor"), col("ACTION", "action"), col("TARGET", "target"),
                    col("REASON", "reason"), col("DETAIL", "detail")));

    /** The steps of one promotion ({@code get promotion ID}), from every service that ran one. */
    static final List<Column> STEP_COLUMNS = List.of(col("STEP", "as"), col("USES", "uses"), col("STATUS", "status"),
            computed("DURATION", Cli::duration), col("STARTED", "startedAt"), col("MESSAGE", "message"));

    static String duration(JsonNode step) {
        if (!step.path("durationMillis").isNumber()) {
            return null;
        }
        long ms = step.path("durationMillis").asLong();
        return ms < 1000 ? ms + "ms" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    /** A column: header and dotted paths, or a computed cell ({@code compute} non-null). */
    record Column(String header, List<String> paths, Function<JsonNode, String> compute) {
    }

    static Column col(String header, String... paths) {
        return new Column(header, List.of(paths), null);
    }

    static Column computed(String header, Function<JsonNode, String> compute) {
        return new Column(header, List.of(), compute);
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    /** A CLI writing to {@code out}/{@code err}, with {@code env} standing in for the environment variables. */
    public Cli(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new Cli(System.out, System.err, System.getenv()).run(args));
    }

    /** Runs one command; returns the process exit code (0 ok, 1 API error, 2 usage error). */
    public int run(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (args.command == null || args.command.equals("help") || args.flags.containsKey("help")) {
            out.print(USAGE);
            return args.command == null ? 2 : 0;
        }
        String project = args.flag("project", env.getOrDefault("FREIGHTLINE_PROJECT", "demo"));
        String p = "/api/v1/projects/" + enc(project);
        try {
            return switch (args.command) {
                case "get" -> get(args, p);
                case "promote" -> promote(args, p);
                case "create" -> create(args, p);
                case "approve" -> post(args, p + "/freight/" + enc(args.required("freight")) + "/approve",
                        body(args, "stage", args.required("stage")));
                case "rollback" -> post(args, p + "/stages/" + enc(args.required("stage")) + "/rollback",
                        body(args, "freight", args.flag("freight", null)));
                case "clear-hold" -> post(args, p + "/stages/" + enc(args.required("stage")) + "/clear-hold", body(args, null, null));
                case "abort" -> post(args, p + "/promotions/" + enc(args.required("promotion")) + "/abort", body(args, null, null));
                case "pause", "resume" -> args.flags.containsKey("all")
                        ? post(args, p + "/" + args.command, body(args, null, null))
                        : post(args, p + "/stages/" + enc(args.required("stage")) + "/" + args.command, body(args, null, null));
                case "refresh" -> post(args, p + "/warehouses/" + enc(args.required("warehouse")) + "/refresh", body(args, null, null));
                case "apply" -> apply(args);
                default -> {
                    err.println("unknown command '" + args.command + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("cannot reach " + server(args) + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
                    + " (is the engine running? ./freightline demo starts it)");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int promote(Args args, String projectPath) throws IOException, InterruptedException {
        String path = projectPath + "/stages/" + enc(args.required("stage")) + "/promotions";
        if (args.flags.containsKey("source-stage") || args.flags.containsKey("all")) {
            if (!args.flags.containsKey("all") || !args.flags.containsKey("source-stage") || args.flags.containsKey("freight")) {
                throw new IllegalArgumentException("promote --source-stage S --stage T --all promotes every freight verified in S (no --freight)");
            }
            return post(args, path, body(args, "sourceStage", args.required("source-stage")));
        }
        return post(args, path, body(args, "freight", args.required("freight")));
    }

    private int create(Args args, String projectPath) throws IOException, InterruptedException {
        if (args.positional.size() != 1 || !args.positional.get(0).equals("freight")) {
            throw new IllegalArgumentException("create what? freight (create freight --warehouse W --image REPO:TAG)");
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("warehouse", args.required("warehouse"));
        var artifacts = node.putArray("artifacts");
        for (String image : args.all("image")) artifacts.add(image(image));
        for (String chart : args.all("chart")) artifacts.add(chart(chart));
        for (String git : args.all("git")) artifacts.add(git(git));
        if (artifacts.isEmpty()) throw new IllegalArgumentException("create freight needs at least one --image, --chart or --git");
        if (args.flags.containsKey("reason")) node.put("reason", args.flags.get("reason"));
        return post(args, projectPath + "/freight", node.toString());
    }

    /** {@code REPO:TAG}, {@code REPO@DIGEST} or {@code REPO:TAG@DIGEST}. */
    static ObjectNode image(String ref) {
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("kind", "image");
        String rest = ref;
        int at = rest.indexOf('@');
        if (at > 0) {
            a.put("digest", rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/') && colon > 0) {
            a.put("tag", rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        if (!a.has("tag") && !a.has("digest")) {
            throw new IllegalArgumentException("--image " + ref + ": REPO:TAG or REPO@DIGEST expected");
        }
        return a.put("repoURL", rest);
    }

    /** {@code URL#NAME@VERSION} (HTTP Helm repository) or {@code oci://HOST/PATH@VERSION}. */
    static ObjectNode chart(String ref) {
        int at = ref.lastIndexOf('@');
        if (at <= 0 || at == ref.length() - 1) throw new IllegalArgumentException("--chart " + ref + ": URL[#NAME]@VERSION expected");
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("kind", "chart").put("tag", ref.substring(at + 1));
        String repo = ref.substring(0, at);
        int hash = repo.indexOf('#');
        if (hash > 0) {
            a.put("name", repo.substring(hash + 1));
            repo = repo.substring(0, hash);
        }
        return a.put("repoURL", repo);
    }

    /** {@code URL@COMMIT}: the last {@code @} splits, so {@code git@host:org/repo.git@abc1234} works. */
    static ObjectNode git(String ref) {
        int at = ref.lastIndexOf('@');
        if (at <= 0 || at == ref.length() - 1) throw new IllegalArgumentException("--git " + ref + ": URL@COMMIT expected");
        return JsonNodeFactory.instance.objectNode().put("kind", "git").put("repoURL", ref.substring(0, at)).put("commit", ref.substring(at + 1));
    }

    private int get(Args args, String projectPath) throws IOException, InterruptedException {
        if (args.positional.isEmpty()) {
            throw new IllegalArgumentException("get what? projects, stages, warehouses, freight, promotions or audit");
        }
        String what = args.positional.get(0);
        if (what.equals("promotion")) {
            what = "promotions";
        }
        String name = args.positional.size() > 1 ? args.positional.get(1) : null;
        if (!COLUMNS.containsKey(what)) {
            throw new IllegalArgumentException("cannot get '" + what + "': projects, stages, warehouses, freight, promotions or audit");
        }
        if (name != null && (what.equals("audit") || what.equals("warehouses"))) {
            throw new IllegalArgumentException("get " + what + " takes no NAME");
        }
        String path = what.equals("projects") ? "/api/v1/projects" : projectPath + "/" + what;
        if (name != null && !what.equals("projects")) {
            path += "/" + enc(name);
        }
        List<String> query = new ArrayList<>();
        if (name == null) {
            for (String filter : switch (what) {
                case "freight" -> List.of("warehouse", "limit");
                case "promotions" -> List.of("stage");
                case "audit" -> List.of("limit");
                default -> List.<String>of();
            }) {
                if (args.flags.containsKey(filter)) {
                    query.add(filter + "=" + enc(args.flags.get(filter)));
                }
            }
        }
        if (!query.isEmpty()) {
            path += "?" + String.join("&", query);
        }
        HttpResponse<String> response = send(args, HttpRequest.newBuilder(uri(args, path)).GET());
        if (response.statusCode() / 100 != 2) {
            return fail(response);
        }
        JsonNode body = parse(response.body());
        if (what.equals("projects") && name != null) {
            // the API lists projects; one project is a filter of that list
            JsonNode match = null;
            for (JsonNode item : items(body)) {
                if (name.equals(item.path("name").asText())) {
                    match = item;
                }
            }
            if (match == null) {
                err.println("error 404: project '" + name + "' not found (or this token may not view it)");
                return 1;
            }
            body = match;
        }
        if (json(args)) {
            out.println(body == null ? response.body() : body.toString());
            return 0;
        }
        if (body == null) {
            out.println(response.body());
            return 0;
        }
        out.print(table(COLUMNS.get(what), items(body)));
        if (what.equals("promotions") && name != null && body.path("steps").isArray() && !body.path("steps").isEmpty()) {
            out.println();
            out.print(table(STEP_COLUMNS, items(body.path("steps"))));
        }
        return 0;
    }

    private int apply(Args args) throws IOException, InterruptedException {
        Path source = Path.of(args.required("f"));
        List<Path> files;
        if (Files.isDirectory(source)) {
            try (Stream<Path> walk = Files.walk(source)) {
                files = walk.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")))
                        .sorted().toList();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException(source + ": no *.yaml or *.yml files");
            }
        } else if (Files.isRegularFile(source)) {
            files = List.of(source);
        } else {
            throw new IllegalArgumentException(source + ": no such file or directory");
        }
        // one request, so a folder is validated and applied all or nothing; the document numbers the engine
        // reports in errors are mapped back to the file they came from
        StringBuilder yaml = new StringBuilder();
        List<FileDocs> ranges = new ArrayList<>();
        int documents = 0;
        for (Path f : files) {
            String text = normalizeDocuments(Files.readString(f));
            if (yaml.length() > 0) {
                yaml.append("\n---\n");
            }
            yaml.append(text);
            int count = documentCount(text);
            ranges.add(new FileDocs(source.equals(f) ? f.toString() : source.relativize(f).toString(), documents, count));
            documents += count;
        }
        String name = files.size() == 1 ? files.get(0).getFileName().toString() : source.toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(args, "/api/v1/manifests?file=" + enc(name)))
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml.toString()));
        HttpResponse<String> response = send(args, request);
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            if (files.size() > 1 && body != null && body.path("problems").isArray()) {
                for (JsonNode problem : body.get("problems")) {
                    if (problem instanceof ObjectNode o && name.equals(o.path("file").asText())) {
                        relocate(o, ranges);
                    }
                }
                return fail(response.statusCode(), body, response.body());
            }
            return fail(response);
        }
        if (json(args)) {
            out.println(response.body());
            return 0;
        }
        StringBuilder summary = new StringBuilder();
        if (body != null) {
            // other Kubernetes kinds of a GitOps folder (Argo CD Applications, ConfigMaps, ...): one line each
            for (JsonNode skipped : body.path("skipped")) {
                if (skipped instanceof ObjectNode o) {
                    if (files.size() > 1 && name.equals(o.path("file").asText())) relocate(o, ranges);
                    summary.append(o.path("file").asText()).append(' ').append(o.path("document").asText())
                            .append(": skipped ").append(o.path("resource").asText())
                            .append(" (").append(o.path("why").asText("not a Kargo resource")).append(")\n");
                }
            }
        }
        summary.append("applied ").append(files.size()).append(files.size() == 1 ? " file" : " files")
                .append(" (").append(documents).append(documents == 1 ? " document" : " documents").append(")\n");
        if (body != null) {
            body.path("projects").fields().forEachRemaining(e -> summary.append("  ").append(e.getKey()).append(": ")
                    .append(e.getValue().path("message").asText(e.getValue().path("status").asText())).append('\n'));
        }
        out.print(summary);
        return 0;
    }

    /** The documents of one file within the request: the first one's 0-based index and how many. */
    record FileDocs(String file, int offset, int count) {
    }

    /** Drops a leading {@code ---} and trailing markers so that files join with one separator each. */
    static String normalizeDocuments(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        while (!lines.isEmpty() && (lines.get(lines.size() - 1).isBlank() || isSeparator(lines.get(lines.size() - 1)))) {
            lines.remove(lines.size() - 1);
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (isSeparator(lines.get(i))) {
                lines.remove(i);
            }
            break;
        }
        return String.join("\n", lines);
    }

    static int documentCount(String normalized) {
        return 1 + (int) normalized.lines().filter(Cli::isSeparator).count();
    }

    static boolean isSeparator(String line) {
        return line.equals("---") || line.startsWith("--- ") || line.startsWith("---\t");
    }

    /** Rewrites a problem's "#N ..." document of the joined request into the file and its own "#n ...". */
    static void relocate(ObjectNode problem, List<FileDocs> ranges) {
        String doc = problem.path("document").asText("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^#(\\d+)(.*)$").matcher(doc);
        if (!m.matches()) {
            return;
        }
        int index = Integer.parseInt(m.group(1)) - 1;
        for (FileDocs r : ranges) {
            if (index >= r.offset() && index < r.offset() + r.count()) {
                problem.put("file", r.file());
                problem.put("document", "#" + (index - r.offset() + 1) + m.group(2));
                return;
            }
        }
    }

    private int post(Args args, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(args, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = send(args, request);
        if (response.statusCode() / 100 != 2) {
            return fail(response);
        }
        if (json(args)) {
            out.println(response.body());
            return 0;
        }
        out.println(describe(args.command, response.statusCode(), parse(response.body())));
        return 0;
    }

    /** A command's answer in words: the promotion it made, or the engine's message, or that it is still queued. */
    static String describe(String command, int status, JsonNode body) {
        if (body == null) {
            return command + ": ok (" + status + ")";
        }
        String message = body.path("message").asText("");
        if (status == 202 || "accepted".equals(body.path("status").asText())) {
            return command + ": accepted as command " + body.path("command").asText("?")
                    + "; the engine has not applied it yet" + (message.isEmpty() ? "" : " (" + message + ")");
        }
        JsonNode p = body.path("promotion");
        if (p.isObject()) {
            return "promotion " + p.path("id").asText() + " (" + p.path("kind").asText() + "): "
                    + p.path("freightAlias").asText(p.path("freight").asText()) + " -> " + p.path("stage").asText()
                    + ", " + p.path("state").asText() + (message.isEmpty() ? "" : "\n" + message);
        }
        return message.isEmpty() ? command + ": ok" : message;
    }

    private int fail(HttpResponse<String> response) {
        return fail(response.statusCode(), parse(response.body()), response.body());
    }

    /** A readable error: status, the engine's message, every manifest problem, and a hint for 401 and 403. */
    private int fail(int status, JsonNode body, String raw) {
        String message = body != null && body.hasNonNull("error") ? body.get("error").asText()
                : raw == null || raw.isBlank() ? "(no message)" : shortened(raw.strip(), 300);
        StringBuilder b = new StringBuilder("error ").append(status).append(' ').append(reasonPhrase(status))
                .append(": ").append(message);
        if (body != null && body.path("problems").isArray()) {
            for (JsonNode problem : body.get("problems")) {
                b.append("\n  ").append(problem.path("file").asText("?")).append(' ')
                        .append(problem.path("document").asText("")).append(": ")
                        .append(problem.path("field").asText("")).append(": ").append(problem.path("reason").asText(""));
            }
        }
        if (status == 401) {
            b.append("\n  pass --token or set FREIGHTLINE_TOKEN (./freightline demo prints one token per role)");
        } else if (status == 403) {
            b.append("\n  this token's role does not allow it: viewer reads, promoter promotes/approves/rolls back/aborts,"
                    + " admin also applies, creates freight, pauses, resumes and refreshes");
        }
        err.println(b);
        return 1;
    }

    static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "";
        };
    }

    private HttpResponse<String> send(Args args, HttpRequest.Builder request) throws IOException, InterruptedException {
        String token = args.flag("token", env.get("FREIGHTLINE_TOKEN"));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token.trim());
        }
        request.header("Accept", "application/json").timeout(Duration.ofSeconds(30));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(Args args, String path) {
        try {
            return URI.create(server(args).replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server: not a URL: " + server(args));
        }
    }

    private String server(Args args) {
        return args.flag("server", env.getOrDefault("FREIGHTLINE_SERVER", "http://127.0.0.1:8080"));
    }

    private static boolean json(Args args) {
        String o = args.flag("o", args.flag("output", "table"));
        if (!o.equals("json") && !o.equals("table")) {
            throw new IllegalArgumentException("-o: json or table, not '" + o + "'");
        }
        return o.equals("json");
    }

    /** A JSON body, or null when there is none or it is not JSON. */
    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return EventCodec.parse(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The list inside a response: the body itself, or its first array-valued field (e.g. {"entries": [...]}). */
    static List<JsonNode> items(JsonNode body) {
        List<JsonNode> items = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(items::add);
        } else if (body.isObject()) {
            JsonNode array = null;
            for (var it = body.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isArray() && (e.getKey().equals("items") || array == null)) {
                    array = e.getValue();
                }
            }
            if (array != null && !body.has("name") && !body.has("id")) {
                array.forEach(items::add);
            } else {
                items.add(body);
            }
        }
        return items;
    }

    static String table(List<Column> columns, List<JsonNode> items) {
        List<String[]> rows = new ArrayList<>();
        rows.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode item : items) {
            rows.add(columns.stream().map(c -> cell(item, c)).toArray(String[]::new));
        }
        int[] widths = new int[columns.size()];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(String.format("%-" + widths[i] + "s", row[i]));
                if (i < row.length - 1) {
                    line.append("  ");
                }
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        if (items.isEmpty()) {
            b.append("(none)\n");
        }
        return b.toString();
    }

    static String cell(JsonNode item, Column column) {
        if (column.compute() != null) {
            String v = column.compute().apply(item);
            return v == null || v.isEmpty() ? "-" : v;
        }
        for (String path : column.paths()) {
            JsonNode node = at(item, path.split("\\."), 0);
            if (node != null && !node.isNull() && !node.isMissingNode() && !(node.isArray() && node.isEmpty() && path.contains("."))) {
                return text(node);
            }
        }
        return "-";
    }

    /** The value at a dotted path; through a list it collects the value of every element into a list. */
    static JsonNode at(JsonNode node, String[] parts, int i) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (i == parts.length) {
            return node;
        }
        if (node.isArray()) {
            var collected = JsonNodeFactory.instance.arrayNode();
            for (JsonNode element : node) {
                JsonNode v = at(element, parts, i);
                if (v != null && !v.isNull() && !v.isMissingNode()) {
                    collected.add(v);
                }
            }
            return collected;
        }
        return at(node.get(parts[i]), parts, i + 1);
    }

    /** A compact one-cell form: scalars as they are, artifacts as repo:tag, lists comma-joined, objects by key. */
    static String text(JsonNode node) {
        if (node.isValueNode()) {
            return shortened(node.asText(), 60);
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(n -> parts.add(text(n)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        if (node.has("repoURL")) {
            String version = node.hasNonNull("tag") ? node.get("tag").asText()
                    : node.hasNonNull("commit") ? shortened(node.get("commit").asText(), 7, "")
                    : node.hasNonNull("digest") ? shortened(node.get("digest").asText(), 19, "") : "";
            return node.get("repoURL").asText() + (node.hasNonNull("name") ? "/" + node.get("name").asText() : "") + ":" + version;
        }
        for (String key : List.of("alias", "name", "id")) {
            if (node.hasNonNull(key)) {
                return node.get(key).asText();
            }
        }
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys.isEmpty() ? "-" : String.join(",", keys);
    }

    static String shortened(String s, int max) {
        return shortened(s, max, "...");
    }

    static String shortened(String s, int max, String ellipsis) {
        if (s == null) {
            return null;
        }
        return s.length() > max ? s.substring(0, max - ellipsis.length()) + ellipsis : s;
    }

    /** What a stage is doing: paused, promoting, held, waiting (and for what), or idle. */
    static String stageStatus(JsonNode stage) {
        List<String> parts = new ArrayList<>();
        if (stage.path("paused").asBoolean()) {
            parts.add("Paused");
        }
        JsonNode running = stage.path("running");
        if (running.isObject()) {
            parts.add(running.path("state").asText() + " " + running.path("freightAlias").asText(running.path("freight").asText()));
        }
        if (stage.path("hold").isObject()) {
            parts.add("Hold");
        }
        stage.path("waitingSince").fieldNames().forEachRemaining(reason -> parts.add("Waiting for " + reason));
        if (parts.isEmpty()) {
            JsonNode last = stage.path("recentPromotions").path(0);
            return last.isObject() ? "Last " + last.path("state").asText() : "Idle";
        }
        return String.join(", ", parts);
    }

    static String queueDepth(JsonNode stage) {
        return String.valueOf(stage.path("queue").size() + (stage.path("running").isObject() ? 1 : 0));
    }

    static String subscriptions(JsonNode warehouse) {
        List<String> parts = new ArrayList<>();
        for (JsonNode s : warehouse.path("subscriptions")) {
            String kind = s.path("kind").asText("").toLowerCase(java.util.Locale.ROOT);
            parts.add((kind.isEmpty() ? "" : kind + " ") + s.path("repoURL").asText("?")
                    + (s.hasNonNull("constraint") ? " " + s.get("constraint").asText() : ""));
        }
        return String.join(", ", parts);
    }

    /** A command body: the one field (if given) and {@code reason} from --reason. */
    static String body(Args args, String key, String value) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (key != null && value != null) {
            node.put(key, value);
        }
        if (args.flags.containsKey("reason")) {
            node.put("reason", args.flags.get("reason"));
        }
        return node.toString();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Parsed command line: the command, positional words, and {@code --flag value} / {@code -f value} options. */
    static final class Args {
        String command;
        final List<String> positional = new ArrayList<>();
        final Map<String, String> flags = new HashMap<>();
        /** Every value of each option, in order (options that may repeat: --image, --chart, --git). */
        final Map<String, List<String>> values = new HashMap<>();

        static Args parse(String[] argv) {
            Args a = new Args();
            for (int i = 0; i < argv.length; i++) {
                String arg = argv[i];
                if (arg.startsWith("-")) {
                    String name = arg.replaceFirst("^--?", "");
                    String value = null;
                    int eq = name.indexOf('=');
                    if (eq > 0) {
                        value = name.substring(eq + 1);
                        name = name.substring(0, eq);
                    } else if (name.equals("help") || name.equals("h")) {
                        value = "true";
                        name = "help";
                    } else if (name.equals("all")) {
                        value = "true"; // a switch: takes no value
                    } else if (i + 1 < argv.length) {
                        value = argv[++i];
                    } else {
                        throw new IllegalArgumentException("option " + arg + " needs a value");
                    }
                    a.flags.put(name, value);
                    a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else if (a.command == null) {
                    a.command = arg;
                } else {
                    a.positional.add(arg);
                }
            }
            return a;
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        String flag(String name, String fallback) {
            return flags.getOrDefault(name, fallback);
        }

        String required(String name) {
            String v = flags.get(name);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("missing --" + name);
            }
            return v;
        }
    }
}
