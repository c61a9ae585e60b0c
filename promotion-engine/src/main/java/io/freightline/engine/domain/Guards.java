package io.freightline.engine.domain;

import java.util.List;
import java.util.function.Function;

/**
 * The ordered guards of an auto-promotion. The first one that blocks wins, and its reason is what the API shows
 * and what the wait metric counts.
 */
public final class Guards {

    /** Everything the guards look at, computed by the engine for one stage and warehouse. */
    public record Input(boolean paused, boolean autoPromotion, boolean held, String candidate, String target,
                        boolean failedBefore, boolean approvalRequired, boolean approved, boolean soaking,
                        boolean windowOpen) {
    }

    /**
     * @param waitReason approval, soak or window when the freight is waiting on time or a human, else null
     */
    public record Verdict(boolean promote, String reason, String waitReason) {
        static Verdict block(String reason) {
            return new Verdict(false, reason, null);
        }

        static Verdict waitFor(String waitReason, String reason) {
            return new Verdict(false, reason, waitReason);
        }
    }

    private record Guard(String name, Function<Input, Verdict> check) {
    }

    private static final List<Guard> GUARDS = List.of(
            new Guard("autoPromotion", in -> in.autoPromotion() ? null : Verdict.block("auto-promotion is off")),
            new Guard("paused", in -> in.paused() ? Verdict.block("stage is paused") : null),
            new Guard("hold", in -> in.held() ? Verdict.block("auto-promotion held after a manual rollback") : null),
            new Guard("soak", in -> in.soaking() && (in.candidate() == null || in.candidate().equals(in.target()))
                    ? Verdict.waitFor("soak", "newer freight is soaking upstream") : null),
            new Guard("candidate", in -> in.candidate() == null ? Verdict.block("no freight available") : null),
            new Guard("upToDate", in -> in.candidate().equals(in.target()) ? Verdict.block("up to date") : null),
            new Guard("failedBefore", in -> in.failedBefore()
                    ? Verdict.block("promotion of this freight failed before; not retried automatically") : null),
            new Guard("approval", in -> in.approvalRequired() && !in.approved()
                    ? Verdict.waitFor("approval", "freight not approved for this stage") : null),
            new Guard("window", in -> in.windowOpen() ? null
                    : Verdict.waitFor("window", "outside the stage's promotion windows")));

    public static Verdict evaluate(Input in) {
        for (Guard g : GUARDS) {
            Verdict v = g.check().apply(in);
            if (v != null) return v;
        }
        return new Verdict(true, "auto-promotion of the newest available freight", null);
    }

    private Guards() {
    }
}
