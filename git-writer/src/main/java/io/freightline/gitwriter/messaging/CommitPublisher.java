package io.freightline.gitwriter.messaging;

import io.freightline.events.Channels;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.PromotionCommitted;
import io.freightline.gitwriter.domain.CommitSink;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.net.URI;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Publishes {@link PromotionCommitted} on the commits topic as a binary CloudEvent keyed by project. */
@ApplicationScoped
public class CommitPublisher implements CommitSink {
    static final URI SOURCE = URI.create("/freightline/git-writer");

    @Inject
    @Channel(Channels.COMMITS_OUT)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<String> emitter;

    @Override
    public CompletionStage<Void> publish(PromotionCommitted event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<String> msg = Message.of(EventCodec.toJson(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.project()).build())
                .addMetadata(OutgoingCloudEventMetadata.builder()
                        .withId(UUID.randomUUID().toString())
                        .withType(EventTypes.PROMOTION_COMMITTED)
                        .withSource(SOURCE)
                        .withSubject(event.promotionId())
                        .build())
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    done.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(msg);
        return done;
    }
}
