package io.freightline.template.run;

import io.freightline.events.FreightRef;
import io.freightline.events.PromotionRequested;
import io.freightline.template.expr.Scope;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scope a service that receives a {@link PromotionRequested} evaluates the expressions the engine left for run
 * time in: {@code ctx} (project, stage, promotion, targetFreight, meta.promotion.actor), the template {@code vars}
 * as the engine rendered them, and the target freight for {@code imageFrom} and friends.
 */
public final class RequestScope {

    public static Scope of(PromotionRequested r, Scope.Lookups lookups) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("project", r.project());
        ctx.put("stage", r.stage());
        ctx.put("promotion", r.promotionId());
        FreightRef f = r.freight();
        if (f != null) {
            Map<String, Object> tf = new LinkedHashMap<>();
            tf.put("name", f.id());
            tf.put("alias", f.alias());
            tf.put("origin", Map.of("name", f.warehouse() == null ? "" : f.warehouse()));
            ctx.put("targetFreight", tf);
        }
        Map<String, Object> promo = new LinkedHashMap<>();
        promo.put("actor", r.requestedBy());
        promo.put("rollback", false);
        ctx.put("meta", Map.of("promotion", promo));
        return new Scope(ctx, r.vars() == null ? Map.of() : r.vars(), null, null, f == null ? List.of() : List.of(f),
                lookups, null);
    }

    private RequestScope() {
    }
}
