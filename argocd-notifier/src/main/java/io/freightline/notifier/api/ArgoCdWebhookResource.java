package io.freightline.notifier.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freightline.notifier.config.NotifierConfig;
import io.freightline.notifier.domain.Verifier;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Argo CD notifications webhook ({@code service.webhook.<name>} in argocd-notifications-cm, subscribed to triggers
 * such as on-sync-succeeded or on-health-degraded). A hint only: it wakes the verifications following the
 * application, which then read the truth from the Argo CD API. The body names the app, e.g. the template
 * {@code {"app": "{{.app.metadata.name}}", "namespace": "{{.app.metadata.namespace}}"}} or the whole Application.
 */
@Path("/webhooks/argocd")
public class ArgoCdWebhookResource {
    private static final Logger LOG = Logger.getLogger(ArgoCdWebhookResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    NotifierConfig config;

    @Inject
    Verifier verifier;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response notify(@HeaderParam("Authorization") String authorization, String body) {
        String expected = config.webhook().token().filter(t -> !t.isBlank()).orElse(null);
        if (expected == null) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of("error", "webhook disabled: set freightline.notifier.webhook.token")).build();
        }
        if (!authorized(authorization, expected)) {
            LOG.warn("Argo CD webhook rejected: missing or wrong bearer token");
            return Response.status(Response.Status.UNAUTHORIZED).entity(Map.of("error", "unauthorized")).build();
        }
        JsonNode node;
        try {
            node = JSON.readTree(body == null ? "" : body);
        } catch (Exception e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "body is not JSON")).build();
        }
        if (node == null || !node.isObject()) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "body must be a JSON object"))
                    .build();
        }
        String app = first(node, "app", "application", "name");
        if (app == null) {
            app = text(node.path("metadata").path("name"));
        }
        if (app == null && node.path("app").isObject()) {
            app = text(node.path("app").path("metadata").path("name"));
        }
        if (app == null) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("error", "no application name (app, application, name or metadata.name)")).build();
        }
        String namespace = first(node, "namespace", "appNamespace");
        if (namespace == null) {
            namespace = text(node.path("metadata").path("namespace"));
        }
        int woken = verifier.wake(app, namespace);
        LOG.debugf("Argo CD webhook for %s woke %d verification(s)", app, woken);
        return Response.accepted(Map.of("app", app, "woken", woken)).build();
    }

    /** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
    static boolean authorized(String header, String expected) {
        if (header == null) {
            return false;
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : header.trim();
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private static String first(JsonNode node, String... names) {
        for (String n : names) {
            String v = text(node.path(n));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }
}
