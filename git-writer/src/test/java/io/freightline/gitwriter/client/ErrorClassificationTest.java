package io.freightline.gitwriter.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which remote errors end a promotion at once (credentials) and which are retried (the network). */
class ErrorClassificationTest {

    @Test
    void aNetworkOutageOnAPortThatLooksLikeAStatusIsRetried() {
        assertFalse(PromotionWriter.isAuthError("git://127.0.0.1:40123/gitops.git: The remote end hung up unexpectedly"));
        assertFalse(PromotionWriter.isAuthError("git://127.0.0.1:38403/gitops.git: Connection reset"));
        assertFalse(PromotionWriter.isAuthError("https://git.example.com:4010/app.git: connection refused"));
    }

    @Test
    void refusedCredentialsAreTerminal() {
        assertTrue(PromotionWriter.isAuthError("https://git.example.com/app.git: not authorized"));
        assertTrue(PromotionWriter.isAuthError("https://git.example.com/app.git: git-receive-pack not permitted on 'https://git.example.com/app.git/'"));
        assertTrue(PromotionWriter.isAuthError("ssh://git@127.0.0.1:2222/repo.git: Cannot log in at 127.0.0.1:2222"));
        assertTrue(PromotionWriter.isAuthError("Authentication is required but no CredentialsProvider has been registered"));
    }
}
