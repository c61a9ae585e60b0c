package io.freightline.watcher.api;

import io.freightline.watcher.config.WatcherConfig;
import io.freightline.watcher.domain.DeliveryLedger;
import io.freightline.watcher.domain.MalformedPayloadException;
import io.freightline.watcher.domain.WebhookPayload;
import io.freightline.watcher.messaging.HintDispatcher;
import io.freightline.watcher.messaging.StateFollower;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /webhooks/<provider>} and {@code POST /webhooks/<provider>/<token>}. Order of checks: size (413),
 * authentication over the raw bytes (401), readiness (503, so the sender retries), parse (400), replay (202).
 */
@Path("/webhooks")
public class WebhookResource {
    private static final Logger LOG = Logger.getLogger(WebhookResource.class);

    @Inject
    Instance<WebhookProvider> providers;
    @Inject
    WatcherConfig config;
    @Inject
    HintDispatcher dispatcher;
    @Inject
    StateFollower follower;
    @Inject
    DeliveryLedger deliveries;
    @Inject
    MeterRegistry meters;

    @POST
    @Path("{provider}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@PathParam("provider") String provider, @Context HttpHeaders headers, InputStream body) {
        return handle(provider, null, headers, body);
    }

    @POST
    @Path("{provider}/{token}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receiveWithToken(@PathParam("provider") String provider, @PathParam("token") String token,
                                     @Context HttpHeaders headers, InputStream body) {
        return handle(provider, token, headers, body);
    }

    private Response handle(String name, String token, HttpHeaders headers, InputStream in) {
        WebhookProvider provider = providers.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        if (provider == null || provider.usesPathToken() != (token != null) && token != null) {
            return json(404, Map.of("message", "no webhook endpoint here"));
        }
        byte[] body;
        try {
            body = read(headers, in);
        } catch (IOException e) {
            return outcome(name, "malformed", 400, Map.of("message", "unreadable body"));
        }
        if (body == null) {
            LOG.warnf("webhook %s: body over %d bytes refused", name, config.maxBodyBytes());
            return outcome(name, "too_large", 413, Map.of("message", "body larger than " + config.maxBodyBytes() + " bytes"));
        }
        if (!provider.authenticate(headers, token, body)) {
            LOG.warnf("webhook %s: authentication failed", name);
            return outcome(name, "unauthorized", 401, Map.of("message", "missing or invalid webhook authentication"));
        }
        if (!follower.caughtUp()) {
            return json(503, Map.of("message", "not ready: still reading warehouse specs and watcher state"));
        }
        WebhookPayload payload;
        try {
            payload = provider.parse(headers, body);
        } catch (MalformedPayloadException e) {
            LOG.warnf("webhook %s: malformed body: %s", name, e.getMessage());
            return outcome(name, "malformed", 400, Map.of("message", e.getMessage()));
        }
        if (payload instanceof WebhookPayload.Ignored ignored) {
            LOG.infof("webhook %s ignored: %s", name, ignored.reason());
            return outcome(name, "ignored", 202, Map.of("outcome", "ignored", "reason", ignored.reason(), "emitted", 0, "scansTriggered", 0));
        }
        if (payload instanceof WebhookPayload.Ping) {
            return outcome(name, "accepted", 200, Map.of("outcome", "pong"));
        }
        WebhookPayload.Hints hints = (WebhookPayload.Hints) payload;
        // delivery ids handled by any instance, before or after a restart: they live in the state topic
        if (hints.deliveryId() != null && deliveries.contains(name, hints.deliveryId())) {
            LOG.infof("webhook %s: delivery %s replayed, nothing to do", name, hints.deliveryId());
            return outcome(name, "replayed", 202, Map.of("outcome", "replayed", "emitted", 0, "scansTriggered", 0));
        }
        HintDispatcher.Outcome o = dispatcher.dispatch(name, hints.deliveryId(), hints.hints());
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("outcome", "accepted");
        resp.put("matched", o.matched());
        resp.put("emitted", o.emitted());
        resp.put("scansTriggered", o.scansTriggered());
        return outcome(name, "accepted", 202, resp);
    }

    /** The body, or null when it exceeds the limit (checked on Content-Length first, then while reading). */
    private byte[] read(HttpHeaders headers, InputStream in) throws IOException {
        int max = config.maxBodyBytes();
        String length = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > max) return null;
            } catch (NumberFormatException ignored) {
                // chunked or bogus: the read below enforces the limit
            }
        }
        if (in == null) return new byte[0];
        byte[] body = in.readNBytes(max + 1);
        return body.length > max ? null : body;
    }

    private Response outcome(String provider, String outcome, int status, Map<String, ?> body) {
        meters.counter("freightline.webhook.deliveries", "provider", provider, "outcome", outcome).increment();
        return json(status, body);
    }

    private static Response json(int status, Map<String, ?> body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
