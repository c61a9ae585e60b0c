package io.freightline.notifier.messaging;

import io.freightline.events.Channels;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.InvalidEventException;
import io.freightline.events.PromotionCommitted;
import io.freightline.notifier.domain.Verifier;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads {@code PromotionCommitted} from {@code freightline.commits}. The method returns at once and never waits for
 * Argo CD: the message is acked later, when its verification is published (the throttled commit strategy then
 * commits the offset). An invalid event is nacked, which sends it to {@code freightline.commits.dlq} with the reason.
 */
@ApplicationScoped
public class CommitConsumer {
    private static final Logger LOG = Logger.getLogger(CommitConsumer.class);

    @Inject
    Verifier verifier;

    @Incoming(Channels.COMMITS_IN)
    public CompletionStage<Void> consume(Message<String> message) {
        PromotionCommitted commit;
        try {
            commit = EventCodec.decode(type(message), message.getPayload(), PromotionCommitted.class);
        } catch (InvalidEventException e) {
            LOG.warnf("commit event sent to the dead-letter queue: %s", e.getMessage());
            return message.nack(e);
        }
        Verifier.Admission admission = verifier.submit(commit, () -> message.ack());
        LOG.debugf("promotion %s (%s/%s, %s): %s", commit.promotionId(), commit.project(), commit.stage(),
                commit.outcome(), admission);
        return CompletableFuture.completedFuture(null);
    }

    private static String type(Message<String> message) {
        var ce = message.getMetadata(IncomingCloudEventMetadata.class);
        if (ce.isPresent() && ce.get().getType() != null) {
            return ce.get().getType();
        }
        return message.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> {
            Header h = m.getHeaders().lastHeader(CloudEventHeaders.TYPE);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }).orElse(null);
    }
}
