#!/usr/bin/env bash
# Runs every Freightline benchmark and writes benchmarks/RESULTS.md (machine, date, commands, figures).
#   bash benchmarks/run.sh           full sizes (about 15-25 minutes on 2 cores)
#   bash benchmarks/run.sh --smoke   tiny sizes: checks that every benchmark still builds and runs (CI runs this)
#   FREIGHTLINE_BENCH_SECTIONS=1,7 bash benchmarks/run.sh   only those sections, written to benchmarks/target/RESULTS-sections.md
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-full}"
only="${FREIGHTLINE_BENCH_SECTIONS:-}"
out="benchmarks/RESULTS.md"
[ "$mode" = "--smoke" ] && out="benchmarks/target/RESULTS-smoke.md"
[ -n "$only" ] && out="benchmarks/target/RESULTS-sections.md"
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
mkdir -p benchmarks/target

if [ "${FREIGHTLINE_BENCH_SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -B -q install -DskipTests
fi

classpath() { # module -> its test classpath
  ./mvnw -o -B -q -pl "$1" dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
  echo "$PWD/$1/target/test-classes:$PWD/$1/target/classes:$(cat "$1/target/bench.cp")"
}

if [ "$mode" = "--smoke" ]; then
  e2e="5 1"; sweep="3 1 100"; rendered="2 200 50"; warm="3 200 50"; contention="20"; engine="5 4 5"; watcher="20 300"; notifier="10 5"; failover="1 1"
else
  e2e="1000 50"; sweep="200 20 10,50,100,1000"; rendered="15 5000 2000"; warm="15 5000 2000"; contention="200,500"; engine="500 20 200"; watcher="1000 5000"; notifier="500 100"; failover="5 3"
fi

{
  echo "# Freightline benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(java -version 2>&1 | head -1)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`bash benchmarks/run.sh $mode\`"
  echo
} > "$out"

section() { # title, command...
  local title="$1"; shift
  echo "== $title" >&2
  local log; log=$(mktemp)
  local err; err="benchmarks/target/$(echo "$title" | cut -d. -f1).stderr.log"
  local t0; t0=$(date +%s)
  # the figures are on standard output; logs (broker, services) go to a file beside the results
  if "$@" >"$log" 2>"$err"; then status=ok; else status="FAILED (exit $?, see $err)"; fi
  {
    echo "## $title"
    echo
    echo '```'
    echo "\$ ${*//$(pwd)\//}" | sed -E 's/-cp [^ ]+/-cp <module test classpath>/'
    grep -vE '^(WARNING|SLF4J|\[|[0-9]{4}-[0-9]{2}-[0-9]{2} .*(INFO|WARN|DEBUG))|__|\\_' "$log" | grep -v '^\s*$' | tail -40
    echo '```'
    echo "($status, $(( $(date +%s) - t0 )) s)"
    echo
  } >> "$out"
  rm -f "$log"
  [ "$status" = ok ]
}

JAVA=(java -Djava.util.logging.manager=org.jboss.logmanager.LogManager)
fail=0
! want 1 || section "1. End-to-end latency: registry webhook -> promotion commit pushed (dev, then staging)" \
  java -Dfreightline.root="$(pwd)" -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.freightline.benchmarks.EndToEndLatency $e2e || fail=1
! want 1 || section "1b. Exactly-once commit interval: figure 1 at each freightline.engine.commit-interval-ms" \
  java -Dfreightline.root="$(pwd)" -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.freightline.benchmarks.EndToEndLatency $sweep || fail=1
! want 2 || section "2. Git-writer (warm clone) vs clone-per-promotion with the git CLI" \
  bash -c "cd git-writer && ${JAVA[*]} -cp '$(classpath git-writer)' io.freightline.gitwriter.bench.WarmVsCloneBenchmark $warm" || fail=1
! want 3 || section "3. Monorepo contention: simultaneous promotions on one branch" \
  bash -c "cd git-writer && ${JAVA[*]} -cp '$(classpath git-writer)' io.freightline.gitwriter.bench.ContentionBenchmark $contention" || fail=1
! want 4 || section "4. Engine scale: stages, freight, decision latency, heap, rebuild" \
  "${JAVA[@]}" -Xmx3g -cp "$(classpath promotion-engine)" io.freightline.engine.bench.EngineBenchmark $engine || fail=1
! want 5 || section "5. Watcher: webhook -> artifact event, and polling cost of a large repository" \
  "${JAVA[@]}" -cp "$(classpath artifact-watcher)" io.freightline.watcher.bench.WatcherBench $watcher || fail=1
! want 6 || section "6. Notifier: commit event -> Argo CD sync, and many stages syncing at once" \
  bash -c "cd argocd-notifier && ${JAVA[*]} -cp '$(classpath argocd-notifier)' io.freightline.notifier.bench.SyncBenchmark $notifier" || fail=1
! want 8 || section "8. Rendered branches: Kargo's quickstart promotion, git-writer vs git CLI clone + kubectl kustomize" \
  bash -c "cd git-writer && ${JAVA[*]} -cp '$(classpath git-writer)' io.freightline.gitwriter.bench.RenderedBranchBenchmark $rendered" || fail=1

! want 7 || section "7. Failover: SIGKILL of the engine owning a busy project, and a power cut of the whole stack" \
  java -Dfreightline.root="$(pwd)" -cp "reliability/target/reliability-0.1.0-SNAPSHOT.jar:reliability/target/lib/*" \
  io.freightline.reliability.FailoverBenchmark $failover || fail=1

echo "wrote $out" >&2
exit $fail
