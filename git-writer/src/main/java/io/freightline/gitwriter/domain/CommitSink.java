package io.freightline.gitwriter.domain;

import io.freightline.events.PromotionCommitted;

import java.util.concurrent.CompletionStage;

/** Where promotion outcomes go (the commits topic); completes when the event is durable. */
public interface CommitSink {
    CompletionStage<Void> publish(PromotionCommitted event);
}
