package io.freightline.engine.bench;

import io.freightline.engine.domain.Effects;
import io.freightline.engine.domain.Engine;
import io.freightline.engine.domain.ManifestParser;
import io.freightline.engine.domain.StateCodec;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.VerificationCompleted;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Engine at scale, in memory (not run by the test suite): PROJECTS projects with STAGES stages each (a chain,
 * every stage auto-promoting), FREIGHT_PER_PROJECT artifacts per project. Every artifact event makes freight and a
 * promotion into the first stage; its commit and verification are fed back, so promotions flow down the chain.
 * Prints heap after GC, decision latency per event (engine step plus encoding the state records it writes) and
 * the time to rebuild the engine from its state records.
 *
 * <pre>
 * ./mvnw -o -q -pl promotion-engine test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp promotion-engine/target/test-classes:promotion-engine/target/classes:$(cat promotion-engine/target/cp.txt) \
 *     io.freightline.engine.bench.EngineBenchmark [projects] [stagesPerProject] [freightPerProject]
 * </pre>
 */
public final class EngineBenchmark {

    public static void main(String[] args) {
        int projects = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int stages = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int freightPer = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Map<String, String> stateRecords = new LinkedHashMap<>();
        long[] heap = new long[1];
        long freight = run(projects, stages, freightPer, stateRecords, heap);
        // the engine is unreachable now: what is left is the benchmark's own copy of the state records
        long recordsOnly = heapAfterGc(stateRecords);
        System.out.printf("heap after GC: %d MiB with the engine loaded (engine alone: %d MiB; the benchmark's copy of the state records: %d MiB)%n",
                heap[0] / (1 << 20), (heap[0] - recordsOnly) / (1 << 20), recordsOnly / (1 << 20));
        long bytes = stateRecords.values().stream().mapToLong(v -> v == null ? 0 : v.length()).sum();
        System.out.printf("state records: %d keys, %d MiB of JSON%n", stateRecords.size(), bytes / (1 << 20));
        stateRecords.entrySet().removeIf(en -> en.getValue() == null);
        long r0 = System.nanoTime();
        Engine rebuilt = new Engine(1000, 20);
        stateRecords.forEach((k, v) -> StateCodec.read(rebuilt, k, v));
        StateCodec.finishRebuild(rebuilt);
        System.out.printf("rebuild from %d records (in memory, excluding the Kafka fetch): %.1f s%n",
                stateRecords.size(), (System.nanoTime() - r0) / 1e9);
        long rebuiltFreight = rebuilt.projectNames().stream().mapToLong(p -> rebuilt.project(p).freight.size()).sum();
        if (rebuiltFreight != freight) throw new IllegalStateException("rebuild lost freight: " + rebuiltFreight);
        stateRecords.clear();
        System.out.printf("heap after GC, rebuilt engine alone: %d MiB%n", heapAfterGc(rebuilt) / (1 << 20));
    }

    /** Builds and drives the engine; returns the freight count and puts the heap after GC (engine loaded) in heap[0]. */
    private static long run(int projects, int stages, int freightPer, Map<String, String> stateRecords, long[] heap) {
        Engine engine = new Engine(1000, 20);
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        for (int p = 0; p < projects; p++) {
            String name = "p" + p;
            var m = ManifestParser.parse(List.of(new ManifestParser.Source("bench.yaml", manifests(name, stages))), engine.catalog());
            engine.apply(name, m, "bench", null, now);
        }
        long[] latencies = new long[projects * freightPer * 3];
        int n = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < freightPer; i++) {
            for (int p = 0; p < projects; p++) {
                String name = "p" + p;
                now = now.plusMillis(1);
                ArtifactDiscovered e = new ArtifactDiscovered(name, null, null,
                        ArtifactRef.image("reg.bench/" + name + "/app", "1." + i + ".0", "sha256:" + i), null, now, "bench");
                long s = System.nanoTime();
                Effects fx = engine.onArtifact(e, now);
                write(engine, fx, stateRecords);
                latencies[n++] = System.nanoTime() - s;
                for (PromotionRequested r : new ArrayList<>(fx.promotions)) {
                    s = System.nanoTime();
                    Effects c = engine.onCommitted(new PromotionCommitted(r.promotionId(), name, r.stage(), r.freight().id(),
                            r.git().repoURL(), "main", PromotionCommitted.Outcome.PUSHED, "abc", null, List.of(), null, null, null, now, now), now);
                    write(engine, c, stateRecords);
                    latencies[n++] = System.nanoTime() - s;
                    s = System.nanoTime();
                    Effects v = engine.onVerification(new VerificationCompleted(r.promotionId(), name, r.stage(), r.freight().id(),
                            "abc", VerificationCompleted.Outcome.VERIFIED, null, "none", List.of(), List.of(), now, now), now);
                    write(engine, v, stateRecords);
                    latencies[n++] = System.nanoTime() - s;
                }
            }
        }
        long total = System.nanoTime() - t0;
        long[] lat = Arrays.copyOf(latencies, n);
        Arrays.sort(lat);
        long freight = engine.projectNames().stream().mapToLong(p -> engine.project(p).freight.size()).sum();
        long stageCount = engine.projectNames().stream().mapToLong(p -> engine.project(p).stages.size()).sum();
        System.out.printf("projects=%d stages=%d freight=%d events=%d in %.1f s%n", projects, stageCount, freight, n, total / 1e9);
        System.out.printf("decision latency per event: p50=%.3f ms p99=%.3f ms max=%.3f ms%n",
                lat[n / 2] / 1e6, lat[(int) (n * 0.99)] / 1e6, lat[n - 1] / 1e6);
        heap[0] = heapAfterGc(engine);
        return freight;
    }

    private static void write(Engine engine, Effects fx, Map<String, String> records) {
        for (String k : fx.dirty) records.put(k, StateCodec.write(engine, k));
        for (String k : fx.deleted) records.put(k, null);
    }

    private static long heapAfterGc(Object keepAlive) {
        for (int i = 0; i < 3; i++) System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        if (keepAlive.hashCode() == 42) System.out.print("");
        return used;
    }

    static String manifests(String p, int stages) {
        StringBuilder sb = new StringBuilder("""
                apiVersion: freightline.io/v1alpha1
                kind: Project
                metadata: {name: %1$s}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Warehouse
                metadata: {name: app, namespace: %1$s}
                spec:
                  subscriptions:
                    - image: {repoURL: reg.bench/%1$s/app, imageSelectionStrategy: SemVer, discoveryLimit: 5}
                """.formatted(p));
        for (int s = 0; s < stages; s++) {
            sb.append("""
                    ---
                    apiVersion: freightline.io/v1alpha1
                    kind: Stage
                    metadata: {name: s%1$d, namespace: %2$s}
                    spec:
                      requestedFreight:
                        - origin: {kind: Warehouse, name: app}
                          sources: %3$s
                      policy: {autoPromotion: true}
                      git: {repoURL: "git://bench/%2$s.git", branch: main}
                      promotionTemplate:
                        spec:
                          steps:
                            - uses: kustomize-set-image
                              config: {path: envs/s%1$d, images: [{image: reg.bench/%2$s/app, tag: '${{ imageFrom("reg.bench/%2$s/app").Tag }}'}]}
                    """.formatted(s, p, s == 0 ? "{direct: true}" : "{stages: [s" + (s - 1) + "]}"));
        }
        return sb.toString();
    }
}
