package io.freightline.gitwriter.messaging;

import io.freightline.events.Channels;
import io.freightline.events.EventCodec;
import io.freightline.events.InvalidEventException;
import io.freightline.events.PromotionRequested;
import io.freightline.gitwriter.client.PromotionWriter;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads promotion requests. Each record is handed to the writer at once (so the writer can coalesce the waiting
 * promotions of a repository) and acknowledged only when its commit is pushed and its outcome event is durable;
 * the throttled commit strategy then commits the offset. Invalid records go to the dead-letter topic.
 */
@ApplicationScoped
public class PromotionConsumer {
    private static final Logger LOG = Logger.getLogger(PromotionConsumer.class);

    @Inject
    PromotionWriter writer;

    @Incoming(Channels.PROMOTIONS_IN)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onPromotion(Message<String> message) {
        PromotionRequested request;
        try {
            String type = message.getMetadata(IncomingCloudEventMetadata.class).map(IncomingCloudEventMetadata::getType)
                    .orElseThrow(() -> new InvalidEventException("not a CloudEvent: no ce_type header"));
            request = EventCodec.decode(type, message.getPayload(), PromotionRequested.class);
        } catch (InvalidEventException e) {
            LOG.warnf("dead-lettering a promotion record: %s", e.getMessage());
            message.nack(e);
            return CompletableFuture.completedFuture(null);
        }
        writer.submit(request).whenComplete((outcome, error) -> {
            if (error != null) {
                // the outcome event could not be published: leave the record unacknowledged for redelivery
                LOG.errorf("promotion %s: outcome event not published: %s", request.promotionId(), error.toString());
                message.nack(error);
            } else {
                message.ack();
            }
        });
        return CompletableFuture.completedFuture(null);
    }
}
