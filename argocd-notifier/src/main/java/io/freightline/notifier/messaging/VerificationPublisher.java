package io.freightline.notifier.messaging;

import io.freightline.events.Channels;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.VerificationCompleted;
import io.freightline.notifier.domain.Verifier;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Publishes {@code VerificationCompleted} on {@code freightline.verifications}, keyed by project. */
@ApplicationScoped
public class VerificationPublisher implements Verifier.Publisher {
    static final String SOURCE = "/freightline/argocd-notifier";

    @Inject
    @Channel(Channels.VERIFICATIONS_OUT)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
    Emitter<String> emitter;

    @Override
    public CompletionStage<Void> publish(VerificationCompleted event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // A name-based id: a replayed verification of the same promotion+revision+outcome carries the same id.
        String id = UUID.nameUUIDFromBytes((event.promotionId() + "|" + event.revision() + "|" + event.outcome())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        Message<String> message = Message.of(EventCodec.toJson(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.project()).build())
                .addMetadata(OutgoingCloudEventMetadata.builder().withId(id)
                        .withType(EventTypes.VERIFICATION_COMPLETED).withSource(java.net.URI.create(SOURCE))
                        .withSubject(event.stage()).withDataContentType("application/json").build())
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    done.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        return done;
    }
}
