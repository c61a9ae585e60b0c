package io.freightline.engine.messaging;

import io.freightline.engine.domain.Effects;
import io.freightline.engine.domain.Model;
import io.freightline.engine.domain.ProjectState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The engine's metrics (names from docs/architecture.md); labels are project, stage, warehouse, state, reason. */
@ApplicationScoped
public class EngineMetrics {
    private final MeterRegistry registry;
    private final Set<String> gauges = ConcurrentHashMap.newKeySet();

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(Effects fx) {
        for (Effects.Observation o : fx.observations) {
            if (o instanceof Effects.FreightCreated f) {
                Counter.builder("freightline_freight_created_total")
                        .tags("project", f.project(), "warehouse", f.warehouse()).register(registry).increment();
            } else if (o instanceof Effects.Transition t) {
                Counter.builder("freightline_promotions_total")
                        .tags("project", t.project(), "stage", t.stage(), "state", t.state()).register(registry).increment();
            } else if (o instanceof Effects.LeadTime l) {
                Timer.builder("freightline_promotion_lead_time_seconds").tags("project", l.project(), "stage", l.stage())
                        .publishPercentileHistogram().register(registry).record(Duration.ofMillis((long) (l.seconds() * 1000)));
            } else if (o instanceof Effects.Waited w) {
                Timer.builder("freightline_freight_wait_seconds")
                        .tags("project", w.project(), "stage", w.stage(), "reason", w.reason())
                        .publishPercentileHistogram().register(registry).record(Duration.ofMillis((long) (w.seconds() * 1000)));
            }
        }
    }

    /** Registers the per-stage and per-project gauges once; they read the live state. */
    public void watch(ProjectState ps, Supplier<ProjectState> live) {
        for (String stage : ps.stages.keySet()) {
            if (gauges.add(ps.name + "/" + stage)) {
                Gauge.builder("freightline_promotion_queue_depth", () -> {
                    Model.StageState st = live.get() == null ? null : live.get().stageStates.get(stage);
                    return st == null ? 0 : st.queue.size() + (st.running != null ? 1 : 0);
                }).tags("project", ps.name, "stage", stage).register(registry);
            }
        }
        if (gauges.add(ps.name)) {
            for (Model.Health h : Model.Health.values()) {
                Gauge.builder("freightline_stages", () -> {
                    ProjectState p = live.get();
                    return p == null ? 0 : p.stageStates.values().stream().filter(s -> s.health == h).count();
                }).tags("project", ps.name, "health", h.name()).register(registry);
            }
        }
    }

}
