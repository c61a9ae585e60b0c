package io.freightline.events;

import java.time.Instant;
import java.util.Map;

/**
 * An operator command, ordered with everything else of its project.
 *
 * @param id      unique per command; handlers ignore an id they have already applied
 * @param action  promote, approve, abort, rollback, pause, resume, refresh, apply, clear-hold, create-freight,
 *                pause-project, resume-project
 * @param args    action arguments: stage, freight, promotion, warehouse, manifests; {@code sourceStage} (promote
 *                every freight verified there instead of one {@code freight}); {@code artifacts} (create-freight:
 *                a JSON array of artifact references)
 * @param actor   who issued it (the token's subject), for the audit trail
 * @param reason  why, when given
 */
public record CommandIssued(
        String id,
        String project,
        String action,
        Map<String, String> args,
        String actor,
        String reason,
        Instant issuedAt) {
}
