package io.freightline.gitwriter.domain;

import io.freightline.events.ArtifactRef;
import io.freightline.events.PromotionRequested;

/** The promotion commit message: summary, artifacts, and the trailers that make commits idempotent. */
public final class CommitMessage {
    public static final String PROMOTION_TRAILER = "Freightline-Promotion";
    public static final String FREIGHT_TRAILER = "Freightline-Freight";
    public static final String STAGE_TRAILER = "Freightline-Stage";

    public static String of(PromotionRequested p) {
        String alias = p.freight().alias() != null ? p.freight().alias() : p.freight().id();
        StringBuilder b = new StringBuilder()
                .append("Promote ").append(alias).append(" to ").append(p.stage()).append("\n\n")
                .append("Project ").append(p.project()).append(", freight ").append(p.freight().id());
        if (p.freight().warehouse() != null) {
            b.append(" from warehouse ").append(p.freight().warehouse());
        }
        b.append(":\n");
        if (p.freight().artifacts() != null) {
            for (ArtifactRef a : p.freight().artifacts()) {
                b.append("- ").append(a.canonical()).append('\n');
            }
        }
        if (p.requestedBy() != null) {
            b.append("\nRequested by ").append(p.requestedBy()).append('\n');
        }
        return b.append('\n')
                .append(PROMOTION_TRAILER).append(": ").append(p.promotionId()).append('\n')
                .append(FREIGHT_TRAILER).append(": ").append(p.freight().id()).append('\n')
                .append(STAGE_TRAILER).append(": ").append(p.stage()).append('\n')
                .toString();
    }

    /** A template's own commit message (git-commit's {@code message}) with the promotion's trailers appended. */
    public static String withTrailers(String message, PromotionRequested p) {
        String body = message == null ? "" : message.strip();
        if (body.isEmpty()) {
            body = "Promote " + (p.freight() != null && p.freight().alias() != null ? p.freight().alias()
                    : p.freight() != null ? p.freight().id() : p.promotionId()) + " to " + p.stage();
        }
        StringBuilder b = new StringBuilder(body).append("\n\n")
                .append(PROMOTION_TRAILER).append(": ").append(p.promotionId()).append('\n');
        if (p.freight() != null) {
            b.append(FREIGHT_TRAILER).append(": ").append(p.freight().id()).append('\n');
        }
        return b.append(STAGE_TRAILER).append(": ").append(p.stage()).append('\n').toString();
    }

    private CommitMessage() {
    }
}
