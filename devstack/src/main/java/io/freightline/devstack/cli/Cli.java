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
              promote  --stage S --freight ID|ALIAS  promote freight into a stage (older freight: a rollback)
              approve  --stage S --freight ID|ALIAS  approve freight for a stage
              rollback --stage S [--freight ID|ALIAS] put the stage back on its last verified (or the given) freight
              abort    --promotion ID                abort a pending or running promotion
              pause    --stage S                     stop promotions into a stage
              resume   --stage S                     allow them again
              refresh  --warehouse W                 re-read a warehouse's sources now
              apply    -f FILE|DIR                   apply pipeline manifests (YAML)

            Options:
              --project P   the project (default: $FREIGHTLINE_PROJECT or demo)
              --server URL  the engine (default: $FREIGHTLINE_SERVER or http://127.0.0.1:8080)
              --token T     an API token (default: $FREIGHTLINE_TOKEN; ./freightline demo prints one per role)
              -o json       print the API's JSON instead of a table
            """;

    /** Table columns per resource: header and a dotted path into each item (the first path present wins). */
    static final Map<String, List<Column>> COLUMNS = Map.of(
            "projects", List.of(col("NAME", "name"), col("STAGES", "stages"), col("WAREHOUSES", "warehouses")),
            "stages", List.of(col("NAME", "name"), col("FREIGHT", "currentFreight.alias", "currentFreight.id", "freight.alias"),
                    col("ARTIFACTS", "currentFreight.artifacts"), col("HEALTH", "health"), col("PHASE", "phase", "status"),
                    col("AUTO", "policy.autoPromotion", "autoPromotion"), col("PAUSED", "policy.paused", "paused"),
                    col("QUEUE", "queue")),
            "warehouses", List.of(col("NAME", "name"), col("SUBSCRIPTIONS", "subscriptions"), col("FREIGHT", "freightCount", "freight")),
            "freight", List.of(col("ALIAS", "alias"), col("ID", "id"), col("ARTIFACTS", "artifacts"),
                    col("CURRENTLY IN", "currentlyIn"), col("VERIFIED IN", "verifiedIn"), col("APPROVED FOR", "approvedFor"),
                    col("CREATED", "createdAt")),
            "promotions", List.of(col("ID", "id"), col("STAGE", "stage"), col("FREIGHT", "freightAlias", "freight.alias", "freight"),
                    col("STATE", "state", "phase"), col("COMMIT", "commitSha", "commit"), col("BY", "requestedBy", "createdBy"),
                    col("MESSAGE", "message", "reason")),
            "audit", List.of(col("TIME", "time", "at", "timestamp"), col("ACTOR", "actor", "who"),
                    col("ACTION", "action", "what"), col("STAGE", "stage"), col("FREIGHT", "freight"), col("DETAIL", "detail", "reason", "why")));

    record Column(String header, List<String> paths) {
    }

    static Column col(String header, String... paths) {
        return new Column(header, List.of(paths));
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    Cli(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new Cli(System.out, System.err, System.getenv()).run(args));
    }

    /** Runs one command; returns the process exit code (0 ok, 1 API error, 2 usage error). */
    int run(String[] argv) {
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
                case "promote" -> post(args, p + "/stages/" + enc(args.required("stage")) + "/promotions",
                        json("freight", args.required("freight")));
                case "approve" -> post(args, p + "/freight/" + enc(args.required("freight")) + "/approve",
                        json("stage", args.required("stage")));
                case "rollback" -> post(args, p + "/stages/" + enc(args.required("stage")) + "/rollback",
                        args.flags.containsKey("freight") ? json("freight", args.flag("freight", null)) : "{}");
                case "abort" -> post(args, p + "/promotions/" + enc(args.required("promotion")) + "/abort", "{}");
                case "pause" -> post(args, p + "/stages/" + enc(args.required("stage")) + "/pause", "{}");
                case "resume" -> post(args, p + "/stages/" + enc(args.required("stage")) + "/resume", "{}");
                case "refresh" -> post(args, p + "/warehouses/" + enc(args.required("warehouse")) + "/refresh", "{}");
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

    private int get(Args args, String projectPath) throws IOException, InterruptedException {
        if (args.positional.isEmpty()) {
            throw new IllegalArgumentException("get what? projects, stages, warehouses, freight, promotions or audit");
        }
        String what = args.positional.get(0);
        String name = args.positional.size() > 1 ? args.positional.get(1) : null;
        if (!COLUMNS.containsKey(what)) {
            throw new IllegalArgumentException("cannot get '" + what + "': projects, stages, warehouses, freight, promotions or audit");
        }
        String path = what.equals("projects") ? "/api/v1/projects" : projectPath + "/" + what;
        if (name != null) {
            path += "/" + enc(name);
        }
        HttpResponse<String> response = send(args, HttpRequest.newBuilder(uri(args, path)).GET());
        if (response.statusCode() / 100 != 2) {
            return fail(response);
        }
        if ("json".equals(args.flag("o", args.flag("output", null)))) {
            out.println(response.body());
            return 0;
        }
        JsonNode body = EventCodec.parse(response.body());
        out.print(table(COLUMNS.get(what), items(body)));
        return 0;
    }

    private int apply(Args args) throws IOException, InterruptedException {
        Path source = Path.of(args.required("f"));
        StringBuilder yaml = new StringBuilder();
        List<Path> files;
        if (Files.isDirectory(source)) {
            try (Stream<Path> walk = Files.walk(source)) {
                files = walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
            }
        } else if (Files.isRegularFile(source)) {
            files = List.of(source);
        } else {
            throw new IllegalArgumentException(source + ": no such file or directory");
        }
        for (Path f : files) {
            String text = Files.readString(f);
            if (yaml.length() > 0) {
                yaml.append("\n---\n");
            }
            yaml.append(text);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(args, "/api/v1/manifests"))
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml.toString()));
        return print(args, send(args, request));
    }

    private int post(Args args, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(args, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return print(args, send(args, request));
    }

    private int print(Args args, HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            return fail(response);
        }
        out.println(response.body().isBlank() ? "ok (" + response.statusCode() + ")" : response.body());
        return 0;
    }

    private int fail(HttpResponse<String> response) {
        err.println("error " + response.statusCode() + ": " + (response.body().isBlank() ? "(no body)" : response.body()));
        return 1;
    }

    private HttpResponse<String> send(Args args, HttpRequest.Builder request) throws IOException, InterruptedException {
        String token = args.flag("token", env.get("FREIGHTLINE_TOKEN"));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        request.header("Accept", "application/json").timeout(Duration.ofSeconds(30));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(Args args, String path) {
        return URI.create(server(args).replaceAll("/+$", "") + path);
    }

    private String server(Args args) {
        return args.flag("server", env.getOrDefault("FREIGHTLINE_SERVER", "http://127.0.0.1:8080"));
    }

    /** The list inside a response: the body itself, or its first array-valued field (e.g. {"items": [...]}). */
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
        for (String path : column.paths()) {
            JsonNode node = item;
            for (String part : path.split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            if (node != null && !node.isNull() && !node.isMissingNode()) {
                return text(node);
            }
        }
        return "-";
    }

    /** A compact one-cell form: scalars as they are, artifacts as repo:tag, lists comma-joined, objects by key. */
    static String text(JsonNode node) {
        if (node.isValueNode()) {
            String s = node.asText();
            return s.length() > 60 ? s.substring(0, 57) + "..." : s;
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(n -> parts.add(text(n)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        if (node.has("repoURL")) {
            String version = node.hasNonNull("tag") ? node.get("tag").asText()
                    : node.hasNonNull("commit") ? node.get("commit").asText().substring(0, Math.min(7, node.get("commit").asText().length())) : "";
            return node.get("repoURL").asText() + (node.hasNonNull("name") ? "/" + node.get("name").asText() : "") + ":" + version;
        }
        for (String key : List.of("alias", "name", "id")) {
            if (node.hasNonNull(key)) {
                return node.get(key).asText();
            }
        }
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return String.join(",", keys);
    }

    static String json(String key, String value) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put(key, value);
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
                    } else if (i + 1 < argv.length) {
                        value = argv[++i];
                    } else {
                        throw new IllegalArgumentException("option " + arg + " needs a value");
                    }
                    a.flags.put(name, value);
                } else if (a.command == null) {
                    a.command = arg;
                } else {
                    a.positional.add(arg);
                }
            }
            return a;
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
