package io.freightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The promotion-engine's REST API ({@code /api/v1}), read the way a user of the API or CLI would. */
public final class EngineApi {
    private final java.util.function.Supplier<String> base;

    public EngineApi(String base) {
        this(() -> base);
    }

    /** An API behind a load balancer: {@code base} names a live engine at each call. */
    public EngineApi(java.util.function.Supplier<String> base) {
        this.base = base;
    }

    public String base() {
        return base.get();
    }

    public Http.Reply get(String path, String token) {
        return Http.get(base() + path, token);
    }

    /** The elements of a list answer: a bare array or {@code {"items": [...]}}. */
    public static List<JsonNode> items(JsonNode n) {
        JsonNode arr = n.isArray() ? n : n.has("items") ? n.path("items") : n.path("entries");
        List<JsonNode> out = new ArrayList<>();
        arr.forEach(out::add);
        return out;
    }

    public List<JsonNode> stages(String project, String token) {
        return items(require(get("/api/v1/projects/" + project + "/stages", token)));
    }

    public JsonNode stage(String project, String stage, String token) {
        return require(get("/api/v1/projects/" + project + "/stages/" + stage, token));
    }

    public List<JsonNode> freight(String project, String token) {
        // newest first, 100 by default: ask for all of a campaign's freight
        return items(require(get("/api/v1/projects/" + project + "/freight?limit=10000", token)));
    }

    public List<JsonNode> promotions(String project, String token) {
        return items(require(get("/api/v1/projects/" + project + "/promotions", token)));
    }

    public Http.Reply promote(String project, String stage, String freight, String token) {
        return Http.postJson(base() + "/api/v1/projects/" + project + "/stages/" + stage + "/promotions", token,
                Map.of("freight", freight));
    }

    public Http.Reply approve(String project, String freight, String stage, String token) {
        return Http.postJson(base() + "/api/v1/projects/" + project + "/freight/" + freight + "/approve", token,
                Map.of("stage", stage));
    }

    /** The freight ids currently in a stage, whatever the exact shape of the stage answer. */
    public static Set<String> currentFreight(JsonNode stage) {
        Set<String> ids = new LinkedHashSet<>();
        for (String field : List.of("currentFreight", "current", "freight")) {
            collectIds(stage.path(field), ids);
            if (!ids.isEmpty()) {
                return ids;
            }
        }
        collectIds(stage.path("status").path("currentFreight"), ids);
        return ids;
    }

    /** Ids of freight verified in the stage. */
    public static Set<String> verifiedFreight(JsonNode stage) {
        Set<String> ids = new LinkedHashSet<>();
        for (String field : List.of("lastVerifiedFreight", "verifiedFreight", "lastVerified")) {
            collectIds(stage.path(field), ids);
        }
        return ids;
    }

    private static void collectIds(JsonNode n, Set<String> ids) {
        if (n.isTextual()) {
            ids.add(n.asText());
        } else if (n.isArray()) {
            n.forEach(e -> collectIds(e, ids));
        } else if (n.isObject()) {
            if (n.has("id") && n.get("id").isTextual()) {
                ids.add(n.get("id").asText());
            } else if (n.has("freight")) {
                collectIds(n.get("freight"), ids);
            } else {
                for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                    collectIds(it.next(), ids);
                }
            }
        }
    }

    /** Whether the stage's policy asks for an approval. */
    public static boolean approvalRequired(JsonNode stage) {
        for (JsonNode p : List.of(stage.path("policy"), stage.path("spec").path("policy"))) {
            if (p.path("approvalRequired").asBoolean(false)) {
                return true;
            }
        }
        return stage.path("approvalRequired").asBoolean(false);
    }

    /** The promotion state text of a promotion answer. */
    public static String state(JsonNode promotion) {
        JsonNode s = promotion.path("state");
        if (s.isMissingNode()) {
            s = promotion.path("status").path("phase");
        }
        return s.asText("");
    }

    /** Queue and running promotion of a stage, as ids. */
    public static List<String> busy(JsonNode stage) {
        List<String> ids = new ArrayList<>();
        JsonNode q = stage.path("queue");
        q.forEach(e -> ids.add(e.isTextual() ? e.asText() : e.path("id").asText()));
        JsonNode running = stage.path("running");
        if (running.isTextual() && !running.asText().isEmpty()) {
            ids.add(running.asText());
        } else if (running.isObject()) {
            ids.add(running.path("id").asText());
        }
        return ids;
    }

    private static JsonNode require(Http.Reply r) {
        if (!r.is2xx()) {
            throw new IllegalStateException("engine API: " + r);
        }
        return r.json();
    }
}
