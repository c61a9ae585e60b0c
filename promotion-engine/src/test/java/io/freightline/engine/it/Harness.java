package io.freightline.engine.it;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.TestBroker;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Drives the engine the way the other services would, over the real broker. */
public final class Harness implements AutoCloseable {
    public final KafkaProbe probe = new KafkaProbe(TestBroker.bootstrapServers());
    public final KafkaProbe.Recording promotions = probe.record(Topics.PROMOTIONS);

    public void artifact(String project, String repo, String tag) {
        probe.publish(Topics.ARTIFACTS, project, new ArtifactDiscovered(project, null, null,
                ArtifactRef.image(repo, tag, null), null, Instant.now(), "ci"));
    }

    public List<PromotionRequested> requested(String project, String stage) {
        return promotions.events(PromotionRequested.class).stream()
                .filter(p -> p.project().equals(project) && p.stage().equals(stage)).toList();
    }

    /** Waits for the n-th promotion request of a stage (1-based) and returns it. */
    public PromotionRequested awaitRequest(String project, String stage, int n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> requested(project, stage).size() >= n);
        return requested(project, stage).get(n - 1);
    }

    public void commit(PromotionRequested p, PromotionCommitted.Outcome outcome) {
        probe.publish(Topics.COMMITS, p.project(), new PromotionCommitted(p.promotionId(), p.project(), p.stage(),
                p.freight().id(), p.git().repoURL(), p.git().branch(), outcome,
                outcome == PromotionCommitted.Outcome.FAILED ? null : "c0ffee" + p.promotionId().hashCode(),
                outcome == PromotionCommitted.Outcome.FAILED ? "merge conflict" : null, List.of(), null, p.argocd(),
                p.verification(), p.requestedAt(), Instant.now()));
    }

    public void verify(PromotionRequested p, VerificationCompleted.Outcome outcome) {
        probe.publish(Topics.VERIFICATIONS, p.project(), new VerificationCompleted(p.promotionId(), p.project(),
                p.stage(), p.freight().id(), "c0ffee", outcome, outcome.name(), "none", List.of(), List.of(),
                Instant.now(), Instant.now()));
    }

    /** Commit and verification: the freight becomes verified in the stage. */
    public void land(PromotionRequested p) {
        commit(p, PromotionCommitted.Outcome.PUSHED);
        verify(p, VerificationCompleted.Outcome.VERIFIED);
    }

    public static void apply(String yaml) {
        given().auth().oauth2(EngineTestProfile.ADMIN).contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/manifests").then().statusCode(200);
    }

    /** A project with an image warehouse for {@code reg.test/<project>/app} and the given stages YAML. */
    public static String project(String project, String stages) {
        return """
                apiVersion: freightline.io/v1alpha1
                kind: Project
                metadata: {name: %1$s}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Warehouse
                metadata: {name: app, namespace: %1$s}
                spec:
                  subscriptions:
                    - image: {repoURL: reg.test/%1$s/app, imageSelectionStrategy: SemVer}
                """.formatted(project) + stages.replace("%P", project);
    }

    /** A stage document: direct from the warehouse (upstream empty) or from upstream stages. */
    public static String stage(String name, String upstream, String policy) {
        String sources = upstream == null ? "{direct: true}" : "{stages: [" + upstream + "]}";
        return """
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Stage
                metadata: {name: %1$s, namespace: %%P}
                spec:
                  requestedFreight:
                    - origin: {kind: Warehouse, name: app}
                      sources: %2$s
                  policy: %3$s
                  git: {repoURL: "git://repo/%%P.git", branch: main}
                  promotionTemplate:
                    spec:
                      steps:
                        - uses: kustomize-set-image
                          config:
                            path: envs/%1$s
                            images: [{image: "reg.test/%%P/app", tag: '${{ imageFrom("reg.test/%%P/app").Tag }}'}]
                """.formatted(name, sources, policy).replace("%%P", "%P");
    }

    public static Map<String, Object> stageView(String project, String stage) {
        return given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/stages/{s}", project, stage)
                .then().statusCode(200).extract().jsonPath().getMap("");
    }

    public static io.restassured.response.Response post(String token, String path, Object body, Object... params) {
        var req = given().auth().oauth2(token).contentType(ContentType.JSON);
        if (body != null) req = req.body(body);
        return req.post(path, params);
    }

    /** Every record on a topic from the beginning (compacted topics keep the latest per key). */
    public static List<ConsumerRecord<String, String>> readAll(String topic) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    public static Optional<String> header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? Optional.empty() : Optional.of(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        probe.close();
    }
}
