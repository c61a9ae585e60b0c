#!/usr/bin/env bash
# Runs the images that deploy/images/build.sh exported, without Docker, and checks that they work:
#
#   - the docker-archive names the image freightline/<service>:<TAG> (what `docker load` will tag);
#   - the image's layers, unpacked in order into a root filesystem (skopeo copy to an OCI layout, then
#     deploy/images/oci.py unpack), hold Quarkus' fast-jar (quarkus-run.jar, lib/boot, lib/main, app, quarkus);
#   - the image's user is not root;
#   - its entrypoint, started with chroot as that user, in its working directory, with only the image's Env plus
#     the settings a deployment gives (as the Kubernetes manifests do: read-only root filesystem, a writable /tmp),
#     answers UP on /q/health/live and, with a Kafka broker (the project's EmbeddedKafkaBroker from test-support,
#     on 127.0.0.1), UP on /q/health/ready; then it stops on SIGTERM.
#
#   bash deploy/images/verify.sh                      every service whose target/images/<service>.tar exists
#   bash deploy/images/verify.sh -s artifact-watcher  that one (repeatable)
#   bash deploy/images/verify.sh --no-kafka           liveness only, no broker (readiness needs Kafka)
#
# Settings (environment): OUT (target/images), TAG (0.1.0), IMAGE_GROUP (freightline), MAVEN_OFFLINE (1).
# Needs root (chroot, mount namespaces), skopeo, python3, curl, and the project's Maven build for the broker.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVICES=()
KAFKA=1
while [ $# -gt 0 ]; do
  case "$1" in
    -s|--service) shift; SERVICES+=("${1:?--service needs a name}") ;;
    --no-kafka) KAFKA=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
check_services "${SERVICES[@]}"
if [ ${#SERVICES[@]} -eq 0 ]; then
  for s in "${ALL_SERVICES[@]}"; do [ ! -f "$OUT/$s.tar" ] || SERVICES+=("$s"); done
  [ ${#SERVICES[@]} -gt 0 ] || { echo "no image tarballs in $OUT: run deploy/images/build.sh first" >&2; exit 2; }
fi

[ "$(id -u)" = 0 ] || die "run as root (chroot, mount namespaces)"
for c in skopeo python3 curl unshare chroot; do command -v $c >/dev/null || die "$c is missing"; done

WORK=$(mktemp -d /tmp/freightline-verify.XXXXXX)
mkdir -p "$OUT/logs"
KAFKA_PID=
SVC_PID=
stop_service() {
  [ -n "$SVC_PID" ] || return 0
  local child; child=$(pgrep -P "$SVC_PID" || true)
  [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SVC_PID" 2>/dev/null; then
    log "  did not stop within 30 s of SIGTERM: killing it"
    kill -KILL "$SVC_PID" 2>/dev/null || true
  fi
  wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=
}
cleanup() {
  local rc=$?
  stop_service
  if [ -n "$KAFKA_PID" ]; then kill "$KAFKA_PID" 2>/dev/null || true; wait "$KAFKA_PID" 2>/dev/null || true; fi
  # the mounts lived in the services' own mount namespaces, gone with them: nothing is mounted below $WORK
  rm -rf --one-file-system "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# health_up URL: whether the endpoint answers UP; HEALTH holds its answer (compact JSON when UP). Not run in $(…),
# so HEALTH reaches the caller.
health_up() {
  local body
  HEALTH=
  body=$(curl -sS --max-time 3 "$1" 2>/dev/null) || return 1
  HEALTH=$body
  python3 -c 'import json,sys; b=json.loads(sys.argv[1]); sys.exit(0 if b.get("status")=="UP" else 1)' "$body" 2>/dev/null \
    || return 1
  HEALTH=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), separators=(",", ":")))' "$body")
}

# await_up URL SECONDS: polls health_up while the service runs, until UP or SECONDS have passed
await_up() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$SVC_PID" 2>/dev/null || return 1
    health_up "$1" && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Kafka: the project's embedded single-node KRaft broker (what the tests and `freightline demo` use)
# ---------------------------------------------------------------------------------------------------------------
KAFKA_PORT=
if [ "$KAFKA" = 1 ]; then
  log "kafka: building test-support and its classpath"
  MVN=(./mvnw -B -q)
  [ "$MAVEN_OFFLINE" = 0 ] || MVN+=(-o)
  "${MVN[@]}" -pl test-support -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$WORK/kafka.cp" >"$WORK/maven.log" 2>&1 || { tail -20 "$WORK/maven.log" >&2; die "Maven failed"; }
  KAFKA_PORT=$(free_port)
  : >"$WORK/kafka.log"
  java -cp "$ROOT/test-support/target/classes:$(cat "$WORK/kafka.cp")" io.freightline.testsupport.EmbeddedKafkaBroker \
    "$KAFKA_PORT" "$WORK/kafka" >"$WORK/kafka.log" 2>&1 &
  KAFKA_PID=$!
  for _ in $(seq 1 1200); do
    grep -q 'KAFKA READY' "$WORK/kafka.log" && break
    kill -0 "$KAFKA_PID" 2>/dev/null || { tail -20 "$WORK/kafka.log" >&2; die "the Kafka broker exited"; }
    sleep 0.1
  done
  grep -q 'KAFKA READY' "$WORK/kafka.log" || die "the Kafka broker did not start within 120 s"
  log "kafka: $(grep 'KAFKA READY' "$WORK/kafka.log")"
  # the topics, as Strimzi's KafkaTopics / compose's kafka-init create them before the services start (the engine
  # refuses to start without its compacted state topic): the tests' helper, TestBroker.createTopics
  cat >"$WORK/CreateTopics.java" <<'EOF'
public class CreateTopics {
    public static void main(String[] args) throws Exception {
        io.freightline.testsupport.TestBroker.createTopics(args[0], 1);
    }
}
EOF
  java -cp "$ROOT/test-support/target/classes:$(cat "$WORK/kafka.cp")" "$WORK/CreateTopics.java" "127.0.0.1:$KAFKA_PORT" \
    >"$WORK/topics.log" 2>&1 || { tail -20 "$WORK/topics.log" >&2; die "creating the topics failed"; }
  log "kafka: topics created (TestBroker.createTopics)"
fi

# ---------------------------------------------------------------------------------------------------------------
# each service
# ---------------------------------------------------------------------------------------------------------------
FAILED=()
RESULTS=()
for svc in "${SERVICES[@]}"; do
  ts=$(date +%s)
  tar=$OUT/$svc.tar
  ref="$IMAGE_GROUP/$svc:$TAG"
  dir=$WORK/$svc
  mkdir -p "$dir"
  log "$svc: $tar"
  [ -f "$tar" ] || { FAILED+=("$svc: $tar missing"); continue; }

  # what `docker load` will call it
  tags=$(tar -xOf "$tar" manifest.json | python3 -c 'import json,sys; print(" ".join(t for m in json.load(sys.stdin) for t in (m.get("RepoTags") or [])))')
  if [[ " $tags " == *" $ref "* || " $tags " == *" docker.io/$ref "* ]]; then
    log "  docker-archive tag: $tags"
  else
    FAILED+=("$svc: archive tagged '$tags', not $ref"); continue
  fi

  # unpack the layers in order into a root filesystem
  skopeo copy --quiet "docker-archive:$tar" "oci:$dir/oci:image"
  python3 "$HERE/oci.py" unpack --layout "$dir/oci" --ref image --rootfs "$dir/rootfs" >"$dir/config.json"
  rm -rf "$dir/oci"
  # the config's fields, NUL-separated (entrypoint + cmd; env) and as shell values
  python3 - "$dir/config.json" "$dir" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))["config"]
d = sys.argv[2]
open(d + "/argv", "wb").write(b"".join(a.encode() + b"\0" for a in (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])))
open(d + "/env", "wb").write(b"".join(e.encode() + b"\0" for e in (cfg.get("Env") or [])))
open(d + "/user", "w").write(cfg.get("User") or "")
open(d + "/workdir", "w").write(cfg.get("WorkingDir") or "/")
EOF
  mapfile -d '' -t ARGV <"$dir/argv"
  mapfile -d '' -t IMAGE_ENV <"$dir/env"
  user=$(cat "$dir/user"); wd=$(cat "$dir/workdir")
  layers=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"]))' "$dir/config.json")
  log "  $layers layers, $(du -sh --exclude=./dev "$dir/rootfs" | cut -f1) unpacked; User=$user WorkingDir=$wd"
  log "  Entrypoint: ${ARGV[*]}"

  # the user: numeric, or a name from the image's /etc/passwd; never root
  uid=${user%%:*}; gid=${user#*:}; [ "$gid" != "$user" ] || gid=
  if ! [[ "$uid" =~ ^[0-9]+$ ]]; then
    uid=$(awk -F: -v u="$uid" '$1==u {print $3}' "$dir/rootfs/etc/passwd")
  fi
  [ -n "$gid" ] || gid=$(awk -F: -v u="$uid" '$3==u {print $4}' "$dir/rootfs/etc/passwd")
  if [ -z "$uid" ] || [ "$uid" = 0 ]; then FAILED+=("$svc: image user '$user' is root or unknown"); continue; fi
  log "  user: uid $uid gid ${gid:-?} ($(awk -F: -v u="$uid" '$3==u {print $1}' "$dir/rootfs/etc/passwd"))"

  # Quarkus fast-jar layout in the working directory
  missing=()
  for f in quarkus-run.jar lib/boot lib/main app quarkus/quarkus-application.dat; do
    [ -e "$dir/rootfs$wd/$f" ] || missing+=("$f")
  done
  if [ ${#missing[@]} -gt 0 ]; then FAILED+=("$svc: no fast-jar in $wd (missing ${missing[*]})"); continue; fi
  log "  fast-jar: $wd/{quarkus-run.jar,lib/boot,lib/main,app,quarkus} ($(ls "$dir/rootfs$wd/lib/main" | wc -l) jars in lib/main)"

  # the settings a deployment gives it (deploy/base/*.yaml, docker-compose.yml)
  port=$(free_port)
  mkdir -p "$dir/tmp"; chmod 1777 "$dir/tmp"
  run_env=("${IMAGE_ENV[@]}" "QUARKUS_HTTP_HOST=127.0.0.1" "QUARKUS_HTTP_PORT=$port" "HOME=/tmp"
           "XDG_CONFIG_HOME=/tmp/.config")
  [ -z "$KAFKA_PORT" ] || run_env+=("KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT")
  case "$svc" in
    artifact-watcher) run_env+=("FREIGHTLINE_WATCHER_WEBHOOK_SECRET=verify-$(date +%s%N)") ;;
    promotion-engine)
      mkdir -p "$dir/tmp/auth"
      printf 'viewer=v-%s\npromoter=p-%s\nadmin=a-%s\n' "$RANDOM$RANDOM" "$RANDOM$RANDOM" "$RANDOM$RANDOM" >"$dir/tmp/auth/tokens"
      chown -R "$uid:${gid:-$uid}" "$dir/tmp/auth"; chmod 700 "$dir/tmp/auth"; chmod 600 "$dir/tmp/auth/tokens"
      run_env+=("FREIGHTLINE_ENGINE_AUTH_TOKENS_FILE=/tmp/auth/tokens") ;;
    git-writer) run_env+=("FREIGHTLINE_GITWRITER_WORKDIR=/tmp/git") ;;
    argocd-notifier) ;;
  esac
  printf '127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" >"$dir/hosts"

  # its own mount and PID namespaces: /proc, /dev, /etc/hosts, /etc/resolv.conf and a writable /tmp mounted as a
  # container runtime would, the root filesystem read-only (as readOnlyRootFilesystem: true in the manifests);
  # the network is the host's, so it reaches the broker and we reach it on 127.0.0.1
  t_start=$(date +%s%N)
  unshare --mount --pid --fork --kill-child=TERM -- sh -ec '
    R=$1 TMPDIR_HOST=$2 HOSTS=$3 SPEC=$4 WD=$5; shift 5
    mount --bind "$R" "$R"
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mount --bind "$TMPDIR_HOST" "$R/tmp"
    mount --bind "$HOSTS" "$R/etc/hosts"
    if [ -s /etc/resolv.conf ]; then mount --bind /etc/resolv.conf "$R/etc/resolv.conf"; fi
    mount -o remount,bind,ro "$R"
    exec chroot --userspec="$SPEC" "$R" /usr/bin/env -i -C "$WD" "$@"
  ' sh "$dir/rootfs" "$dir/tmp" "$dir/hosts" "$uid:${gid:-$uid}" "$wd" "${run_env[@]}" "${ARGV[@]}" \
    >"$dir/service.log" 2>&1 &
  SVC_PID=$!

  live='' ready=''
  if await_up "http://127.0.0.1:$port/q/health/live" 120; then live=$HEALTH; fi
  t_live=$(( ($(date +%s%N) - t_start) / 1000000 ))
  if [ -z "$live" ]; then
    tail -30 "$dir/service.log" >&2
    FAILED+=("$svc: /q/health/live not UP within 120 s (${HEALTH:-no answer})"); stop_service; continue
  fi
  child=$(pgrep -P "$SVC_PID" || true)
  proc_uid=$(ps -o uid= -p "$child" 2>/dev/null | tr -d ' ')
  log "  started: $(grep -o 'started in [0-9.]*s' "$dir/service.log" | head -1) (live after ${t_live} ms); process uid $proc_uid"
  log "  GET /q/health/live  -> $live"
  [ "$proc_uid" = "$uid" ] || FAILED+=("$svc: runs as uid '$proc_uid', not $uid")

  if [ -n "$KAFKA_PORT" ]; then
    if await_up "http://127.0.0.1:$port/q/health/ready" 90; then ready=$HEALTH; fi
    if [ -n "$ready" ]; then
      log "  GET /q/health/ready -> $ready"
    else
      log "  GET /q/health/ready -> ${HEALTH:-no answer}"
      FAILED+=("$svc: /q/health/ready not UP within 90 s")
    fi
  fi

  t_stop=$(date +%s%N)
  stop_service
  log "  stopped on SIGTERM in $(( ($(date +%s%N) - t_stop) / 1000000 )) ms: $(grep -o 'stopped in [0-9.]*s' "$dir/service.log" | tail -1)"
  if grep -qE ' (ERROR|WARN) ' "$dir/service.log"; then
    log "  warnings/errors in its log ($OUT/logs/verify-$svc.log):"
    grep -E ' (ERROR|WARN) ' "$dir/service.log" | head -5 | cut -c1-240 | sed 's/^/    /' >&2
  fi
  cp "$dir/service.log" "$OUT/logs/verify-$svc.log"
  RESULTS+=("$svc: live UP after ${t_live} ms${ready:+, ready UP}, uid $proc_uid, read-only root, $(( $(date +%s) - ts )) s in all")
  rm -rf --one-file-system "$dir"
done

echo >&2
for r in "${RESULTS[@]}"; do echo "  ok   $r" >&2; done
for f in "${FAILED[@]}"; do echo "  FAIL $f" >&2; done
[ ${#FAILED[@]} -eq 0 ]
