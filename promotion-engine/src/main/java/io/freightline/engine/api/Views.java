package io.freightline.engine.api;

import io.freightline.engine.domain.Model;
import io.freightline.engine.domain.ProjectState;
import io.freightline.engine.domain.Specs;
import io.freightline.events.ArtifactRef;
import io.freightline.events.StepResult;
import io.freightline.events.Subscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The API's response shapes (documented in the OpenAPI document). */
public final class Views {

    /** @param paused who paused the whole project, why and when; null when it runs */
    public record ProjectView(String name, List<String> warehouses, List<String> stages, Model.LineStop paused) {
    }

    public record FreightSummary(String id, String alias, String warehouse, List<ArtifactRef> artifacts) {
        static FreightSummary of(Model.Freight f) {
            return f == null ? null : new FreightSummary(f.id, f.alias, f.warehouse, f.artifacts);
        }
    }

    public record FreightView(String id, String alias, String warehouse, List<ArtifactRef> artifacts, Instant createdAt,
                              Instant discoveredAt, List<String> currentlyIn, Map<String, Instant> verifiedIn,
                              Map<String, Model.Approval> approvedFor, Map<String, Object> metadata) {
        static FreightView of(ProjectState ps, Model.Freight f) {
            return new FreightView(f.id, f.alias, f.warehouse, f.artifacts, f.createdAt, f.discoveredAt,
                    ps.currentlyIn(f.id), f.verifiedIn, f.approvedFor, f.metadata);
        }
    }

    public record PromotionView(String id, String project, String stage, String freight, String freightAlias,
                                String warehouse, String state, String kind, String requestedBy, String reason,
                                Instant createdAt, Instant updatedAt, String commitSha, String pullRequestURL,
                                String message, List<StepResult> steps) {
        static PromotionView of(ProjectState ps, Model.Promotion p) {
            Model.Freight f = ps.freight.get(p.freight);
            return new PromotionView(p.id, p.project, p.stage, p.freight, f == null ? null : f.alias, p.warehouse,
                    p.state.name(), p.kind, p.requestedBy, p.reason, p.createdAt, p.updatedAt, p.commitSha,
                    p.pullRequestURL, p.message, p.steps);
        }
    }

    public record StageView(String project, String name, List<Specs.FreightRequest> requestedFreight,
                            Specs.StagePolicy policy, boolean paused, Model.Hold hold, String health,
                            List<FreightSummary> currentFreight, List<FreightSummary> lastVerifiedFreight,
                            PromotionView running, List<PromotionView> queue, List<PromotionView> recentPromotions,
                            Map<String, Instant> waitingSince, String gitRepoURL, String gitBranch,
                            Map<String, Object> metadata) {
        static StageView of(ProjectState ps, Specs.StageSpec spec) {
            Model.StageState st = ps.stage(spec.name());
            List<PromotionView> recent = new ArrayList<>();
            for (int i = st.history.size() - 1; i >= 0 && recent.size() < 10; i--) {
                Model.Promotion p = ps.promotions.get(st.history.get(i));
                if (p != null) recent.add(PromotionView.of(ps, p));
            }
            Model.Promotion running = st.running == null ? null : ps.promotions.get(st.running);
            return new StageView(ps.name, spec.name(), spec.requestedFreight(), ps.effectivePolicy(spec), ps.paused(spec.name()),
                    st.hold, st.health.name(),
                    st.current.values().stream().map(id -> FreightSummary.of(ps.freight.get(id))).toList(),
                    st.lastVerified.values().stream().map(id -> FreightSummary.of(ps.freight.get(id))).toList(),
                    running == null ? null : PromotionView.of(ps, running),
                    st.queue.stream().map(ps.promotions::get).filter(java.util.Objects::nonNull).map(p -> PromotionView.of(ps, p)).toList(),
                    recent, st.waiting, spec.git() == null ? null : spec.git().repoURL(),
                    spec.git() == null ? null : spec.git().branch(), st.metadata);
        }
    }

    public record WarehouseView(String project, String name, long intervalSeconds, List<Subscription> subscriptions,
                                long generation, long freightCount) {
    }

    public record AuditView(List<Model.AuditEntry> entries) {
    }

    /** Errors: a message, and for manifests every problem with file, document, field and reason. */
    public record ErrorView(String error, List<io.freightline.engine.domain.ManifestException.Problem> problems) {
    }

    /** A token's identity for the pipeline view: its printable subject, its grants and its role per known project. */
    public record WhoAmIView(String subject, List<GrantView> grants, Map<String, String> projects) {
    }

    /** @param project null for every project */
    public record GrantView(String role, String project) {
    }

    /** The answer to a command: what happened, the promotion it made (201), or the command id when still queued (202). */
    public record CommandView(String command, String status, String message, PromotionView promotion) {
    }


    private Views() {
    }
}
