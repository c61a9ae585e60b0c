package io.freightline.watcher.api;

import io.freightline.watcher.domain.WebhookPayload;
import jakarta.ws.rs.core.HttpHeaders;

/** One webhook sender: how it authenticates and how its body reads. CDI beans, found by {@link #name()}. */
public interface WebhookProvider {

    /** The path segment: {@code /webhooks/<name>}. */
    String name();

    /** True for senders that cannot sign: the secret is the last path segment, {@code /webhooks/<name>/<token>}. */
    default boolean usesPathToken() {
        return false;
    }

    /** Checks the request's authentication over the raw body, in constant time. Called before anything else. */
    boolean authenticate(HttpHeaders headers, String pathToken, byte[] body);

    /** Reads the body; throws MalformedPayloadException for a body that cannot be read. */
    WebhookPayload parse(HttpHeaders headers, byte[] body);
}
