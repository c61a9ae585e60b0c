package io.freightline.watcher.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.events.EventCodec;
import io.freightline.testsupport.Contracts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contract payloads and signature vectors, read without Quarkus or Kafka. */
class WebhookPayloadsTest {

    @Test
    void githubOfficialVectorAndFixtureVectors() {
        JsonNode v = EventCodec.parse(Contracts.read("webhooks/signature-test-vectors.json"));
        JsonNode official = v.get("github_official");
        assertTrue(Signatures.hmacSha256Matches(official.get("X-Hub-Signature-256").asText(), "sha256=",
                official.get("secret").asText(), official.get("payload").asText().getBytes(StandardCharsets.UTF_8)));
        v.get("computed_over_fixture_files").fields().forEachRemaining(e -> {
            byte[] body = Contracts.bytes("webhooks/" + e.getKey());
            String secret = e.getValue().get("secret").asText();
            assertTrue(Signatures.hmacSha256Matches(e.getValue().get("headers").get("X-Hub-Signature-256").asText(), "sha256=", secret, body), e.getKey());
            assertFalse(Signatures.hmacSha256Matches(e.getValue().get("headers").get("X-Hub-Signature-256").asText(), "sha256=", secret + "x", body));
            if (e.getValue().get("headers").has("X-Gitea-Signature")) {
                assertTrue(Signatures.hmacSha256Matches(e.getValue().get("headers").get("X-Gitea-Signature").asText(), "", secret, body));
            }
        });
    }

    @Test
    void repoUrlsAreCanonical() {
        assertEquals("docker.io/library/nginx", RepoUrls.image("nginx"));
        assertEquals("docker.io/library/nginx", RepoUrls.image("index.docker.io/nginx"));
        assertEquals("docker.io/acme/app", RepoUrls.image("acme/app"));
        assertEquals("127.0.0.1:5000/demo/app", RepoUrls.image("http://127.0.0.1:5000/demo/app/"));
        assertEquals("ghcr.io/codertocat/hello-world", RepoUrls.image("ghcr.io/Codertocat/hello-world"));
        assertEquals("localhost/harbor/alpine", RepoUrls.image("localhost/harbor/alpine"));
        assertEquals("github.com/codertocat/hello-world", RepoUrls.git("git@github.com:Codertocat/Hello-World.git"));
        assertEquals("github.com/codertocat/hello-world", RepoUrls.git("https://github.com/Codertocat/Hello-World"));
        assertEquals("localhost:2222/gitea/webhooks", RepoUrls.git("ssh://gitea@localhost:2222/gitea/webhooks.git"));
    }

    @Test
    void distributionKeepsOnlyTaggedManifestPushes() {
        assertInstanceOf(WebhookPayload.Ignored.class, WebhookPayloads.distribution(Contracts.bytes("webhooks/distribution-notification.push-envelope.json")));
        assertInstanceOf(WebhookPayload.Ignored.class, WebhookPayloads.distribution(Contracts.bytes("webhooks/distribution-notification.pull-envelope.json")));
        assertThrows(MalformedPayloadException.class, () -> WebhookPayloads.distribution("{\"nope\":1}".getBytes()));
        String badTag = """
                {"events":[{"id":"1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json",
                "repository":"demo/app","tag":"zz\\nresources:","digest":"sha256:%s"},"request":{"host":"reg:5000"}}]}"""
                .formatted("a".repeat(64));
        MalformedPayloadException e = assertThrows(MalformedPayloadException.class, () -> WebhookPayloads.distribution(badTag.getBytes()));
        assertEquals("tag 'zz\\nresources:' is not an OCI tag", e.getMessage());
        assertThrows(MalformedPayloadException.class, () -> WebhookPayloads.distribution("[".getBytes()));
    }

    @Test
    void registryProviders() {
        assertEquals(List.of(new Hint.ImagePush("hub.harbor.com/test-webhook/debian", "latest",
                        "sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8")),
                hints(WebhookPayloads.harbor(Contracts.bytes("webhooks/harbor-push_artifact.default.tagged.json"))));
        Hint.ImagePush replica = (Hint.ImagePush) hints(WebhookPayloads.harbor(Contracts.bytes("webhooks/harbor-push_artifact.cloudevents.json"))).get(0);
        assertEquals("localhost/harbor/alpine", replica.repo());
        assertEquals(null, replica.tag());
        assertEquals(List.of(new Hint.ImagePush("docker.io/svendowideit/testhook", "latest", null)),
                hints(WebhookPayloads.dockerhub(Contracts.bytes("webhooks/dockerhub-push.json"))));
        assertEquals(List.of(new Hint.ImagePush("quay.io/dgangaia/test", "latest", null)),
                hints(WebhookPayloads.quay(Contracts.bytes("webhooks/quay-repo_push.json"))));
        Hint.ImagePush ghcr = (Hint.ImagePush) hints(WebhookPayloads.github("registry_package", "d1",
                Contracts.bytes("webhooks/github-registry_package.published.container.json"))).get(0);
        assertEquals("ghcr.io/codertocat/hello-world", ghcr.repo());
    }

    @Test
    void gitProviders() {
        Hint.GitPush gh = (Hint.GitPush) hints(WebhookPayloads.github("push", "d", Contracts.bytes("webhooks/github-push.branch-commit.json"))).get(0);
        assertTrue(gh.repos().contains("github.com/jessesuen/test-repo"));
        assertEquals("refs/heads/master", gh.ref());
        assertInstanceOf(WebhookPayload.Ignored.class, WebhookPayloads.github("push", "d", Contracts.bytes("webhooks/github-push.tag-deleted.json")));
        assertInstanceOf(WebhookPayload.Ping.class, WebhookPayloads.github("ping", "d", Contracts.bytes("webhooks/github-ping.json")));
        Hint.GitPush gitea = (Hint.GitPush) hints(WebhookPayloads.gitea("push", "d", Contracts.bytes("webhooks/gitea-push.json"))).get(0);
        assertEquals(Set.of("localhost:3000/gitea/webhooks", "localhost:2222/gitea/webhooks"), gitea.repos());
        Hint.GitPush gl = (Hint.GitPush) hints(WebhookPayloads.gitlab("Tag Push Hook", null, Contracts.bytes("webhooks/gitlab-tag_push_hook.json"))).get(0);
        assertEquals("refs/tags/v1.0.0", gl.ref());
        assertTrue(gl.repos().contains("example.com/jsmith/example"));
    }

    private static List<Hint> hints(WebhookPayload p) {
        return assertInstanceOf(WebhookPayload.Hints.class, p).hints();
    }
}
