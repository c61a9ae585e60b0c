#!/usr/bin/env bash
# Builds the four services' container images without Docker and without any public container registry:
#
#   1. a Java runtime base image from Debian packages (mmdebstrap), written as an OCI layout and cached in
#      $FREIGHTLINE_CACHE (default ~/.cache/freightline/images), rebuilt only when missing or with --rebuild-base;
#   2. a throw-away local registry (Debian's docker-registry on 127.0.0.1:<free port>, temp config and storage),
#      the base image pushed to it with skopeo;
#   3. the Quarkus Jib build of each service on that base (-Dquarkus.jib.base-jvm-image=...), pushing to the
#      local registry;
#   4. each image exported as target/images/<service>.tar (docker-archive, tagged freightline/<service>:<TAG>),
#      ready for `docker load -i`, `podman load -i`, `kind load image-archive`;
#   5. when REGISTRY is set, each image copied to $REGISTRY/freightline/<service>:<TAG> as well;
#   6. with --verify, deploy/images/verify.sh runs the images (chroot, no Docker) against a Kafka broker.
#
#   bash deploy/images/build.sh                     all four services
#   bash deploy/images/build.sh --verify            ... then run and health-check them
#   bash deploy/images/build.sh -s artifact-watcher only that one (repeatable)
#   bash deploy/images/build.sh --base-only         only the base image (built or taken from the cache)
#   bash deploy/images/build.sh --rebuild-base      rebuild the cached base (e.g. for Debian security updates)
#   REGISTRY=ghcr.io REGISTRY_USER=me REGISTRY_TOKEN=... bash deploy/images/build.sh   also push there
#
# Settings (environment): TAG (0.1.0), IMAGE_GROUP (freightline), JAVA_MAJOR (17), DEBIAN_SUITE (bookworm),
# DEBIAN_MIRROR (http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR (http://deb.debian.org/debian-security),
# EXTRA_BASE_PACKAGES (""), DEBIAN_CHECK_VALID_UNTIL (true), FREIGHTLINE_CACHE (~/.cache/freightline), OUT (target/images),
# LOCAL_REGISTRY_PORT (a free port), MAVEN_OFFLINE (1: ./mvnw -o), REGISTRY, REGISTRY_USER, REGISTRY_TOKEN,
# REGISTRY_TLS_VERIFY (true). See deploy/images/README.md.
#
# Needs root (mmdebstrap, and chroot for --verify), python3, and apt access to a Debian mirror the first time;
# mmdebstrap, skopeo and docker-registry are installed with apt-get when missing. Not part of CI.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVICES=()
VERIFY=0
BASE_ONLY=0
REBUILD_BASE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --verify) VERIFY=1 ;;
    --base-only) BASE_ONLY=1 ;;
    --rebuild-base) REBUILD_BASE=1 ;;
    -s|--service) shift; SERVICES+=("${1:?--service needs a name}") ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#SERVICES[@]} -gt 0 ] || SERVICES=("${ALL_SERVICES[@]}")
check_services "${SERVICES[@]}"

JAVA_MAJOR=${JAVA_MAJOR:-17}
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
EXTRA_BASE_PACKAGES=${EXTRA_BASE_PACKAGES:-}
DEBIAN_CHECK_VALID_UNTIL=${DEBIAN_CHECK_VALID_UNTIL:-true}
CACHE=${FREIGHTLINE_CACHE:-$HOME/.cache/freightline}/images
# curl: docker-compose.yml's health checks run `curl` inside the containers. No git: the services use JGit.
BASE_PACKAGES="openjdk-${JAVA_MAJOR}-jre-headless ca-certificates curl $EXTRA_BASE_PACKAGES"
BASE_NAME=$IMAGE_GROUP/jre-base
BASE_TAG="${JAVA_MAJOR}-${DEBIAN_SUITE}"
# bump when the recipe below changes, so cached bases are rebuilt
BASE_RECIPE=2

# elapsed NAME START: records a phase's duration for the summary
declare -A TIMES=()
elapsed() { TIMES[$1]=$(( $(date +%s) - $2 )); }
human() { numfmt --to=iec-i --suffix=B --format='%.1f' "$1"; }

[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap --mode=root, chroot)"
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v skopeo >/dev/null || need+=(skopeo)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v python3 >/dev/null || need+=(python3)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    >/dev/null || die "apt-get install ${need[*]} failed"
fi

case "$(dpkg --print-architecture)" in
  amd64) OCI_ARCH=amd64; OCI_VARIANT= ;;
  arm64) OCI_ARCH=arm64; OCI_VARIANT=v8 ;;
  *) die "unsupported architecture $(dpkg --print-architecture) (amd64 or arm64)" ;;
esac

WORK=$(mktemp -d /tmp/freightline-images.XXXXXX)
REG_PID=
cleanup() {
  local rc=$?
  if [ -n "$REG_PID" ] && kill -0 "$REG_PID" 2>/dev/null; then
    kill "$REG_PID" 2>/dev/null || true
    wait "$REG_PID" 2>/dev/null || true
  fi
  if [ -d "$WORK/rootfs" ]; then rm -rf --one-file-system "$WORK/rootfs"; fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------------------------------------------------------
# 1. base image: Debian rootfs with the JRE -> one-layer OCI image, cached by recipe
# ---------------------------------------------------------------------------------------------------------------
suite_sources() {
  echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE main"
  echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main"
  echo "deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main"
}
BASE_KEY=$(printf '%s\n' "$BASE_RECIPE" "$OCI_ARCH" "$DEBIAN_SUITE" "$BASE_PACKAGES" "$(suite_sources)" \
  | sha256sum | cut -c1-12)
BASE_DIR=$CACHE/base-$BASE_TAG-$BASE_KEY

build_base() {
  local t rootfs=$WORK/rootfs
  t=$(date +%s)
  log "base: mmdebstrap $DEBIAN_SUITE ($OCI_ARCH) with ${BASE_PACKAGES% } -> $BASE_DIR"
  local -a sources
  mapfile -t sources < <(suite_sources)
  local -a mm=(
    mmdebstrap --mode=root --variant=essential --arch="$(dpkg --print-architecture)"
    --include="$(echo $BASE_PACKAGES | tr ' ' ',')"
    # merged /usr the debootstrap way: installs usr-is-merged instead of usrmerge (which drags in perl)
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
    # no docs, man pages, translations (copyright files stay)
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias'
    --dpkgopt='path-exclude=/usr/share/lintian/*'
    # the JRE's postinst registers man pages as update-alternatives slaves: their directory must exist
    --essential-hook='mkdir -p "$1/usr/share/man/man1"'
  )
  # a mirror serving Release files past their Valid-Until (a stale proxy) fails apt-get update: opt-in override
  [ "$DEBIAN_CHECK_VALID_UNTIL" != false ] || mm+=(--aptopt='Acquire::Check-Valid-Until "false"')
  mm+=("$DEBIAN_SUITE" "$rootfs" "${sources[@]}")
  mkdir -p "$CACHE" "$OUT/logs"
  "${mm[@]}" >"$OUT/logs/mmdebstrap.log" 2>&1 || { tail -20 "$OUT/logs/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $OUT/logs/mmdebstrap.log)"; }

  # the service user: uid/gid 185 as in the UBI OpenJDK images (the manifests' securityContext assumes it), home
  # /home/jboss = Quarkus Jib's default working directory, where the fast-jar goes
  echo 'jboss:x:185:185:Freightline services:/home/jboss:/usr/sbin/nologin' >>"$rootfs/etc/passwd"
  echo 'jboss:x:185:' >>"$rootfs/etc/group"
  echo 'jboss:!:1::::::' >>"$rootfs/etc/shadow"
  install -d -o 185 -g 185 -m 0755 "$rootfs/home/jboss"
  # git-writer's warm clones in compose/Kubernetes (FREIGHTLINE_GITWRITER_WORKDIR); writable without a volume too
  install -d -o 185 -g 185 -m 0750 "$rootfs/var/lib/freightline"
  # runtimes mount /etc/hosts, /etc/hostname, /etc/resolv.conf: leave placeholders, not the build host's
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
  # caches, logs, package lists: nothing a container needs
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/var/lib/dpkg/*-old "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/tmp/* \
    "$rootfs"/var/tmp/* "$rootfs"/root/.cache
  find "$rootfs/var/log" -type f -delete
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true

  local java_home java_version os_version
  java_home=$(chroot "$rootfs" sh -c 'dirname "$(dirname "$(readlink -f /usr/bin/java)")"')
  java_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$rootfs$java_home/release")
  os_version=$(. "$rootfs/etc/os-release"; echo "$PRETTY_NAME")
  # (the launcher needs /proc to find its libraries: mount one in a private mount namespace)
  unshare --mount sh -c 'mount -t proc proc "$1/proc" && chroot "$1" java -version' sh "$rootfs" >/dev/null 2>&1 \
    || die "java does not run in the base rootfs"
  local packages; packages=$(chroot "$rootfs" dpkg-query -W -f '${Package} ${Version}\n')
  local rootfs_bytes; rootfs_bytes=$(du -sb --exclude=./dev "$rootfs" | cut -f1)

  # one layer, no device nodes (runtimes provide /dev), stable order/owners/times
  local epoch; epoch=$(date +%s)
  log "base: packing $(human "$rootfs_bytes") rootfs ($(echo "$packages" | wc -l) packages, Java $java_version)"
  tar --create --file "$WORK/base-layer.tar" --directory "$rootfs" --numeric-owner --sort=name \
    --format=posix --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
    --mtime="@$epoch" --clamp-mtime --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' .
  rm -rf --one-file-system "$rootfs"

  local tmp_layout="$BASE_DIR.tmp"
  rm -rf "$tmp_layout"; mkdir -p "$tmp_layout"
  local -a oci=(python3 "$HERE/oci.py" layout --layer "$WORK/base-layer.tar" --out "$tmp_layout/oci" --ref "$BASE_TAG"
    --arch "$OCI_ARCH" --user 185 --workdir /home/jboss
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    --env "JAVA_HOME=$java_home" --env "JAVA_VERSION=$java_version" --env LANG=C.UTF-8
    # io.freightline.base.*: the service images inherit these, so no org.opencontainers.image.title/version here
    --label "io.freightline.base.image=$BASE_NAME:$BASE_TAG"
    --label "io.freightline.base.description=$os_version, openjdk-$JAVA_MAJOR-jre-headless $java_version, ca-certificates, curl; user 185"
    --label "io.freightline.base.java-version=$java_version"
    --label "org.opencontainers.image.base.name=debian:$DEBIAN_SUITE"
    --created-by "mmdebstrap --variant=essential --include=$(echo $BASE_PACKAGES | tr ' ' ',') $DEBIAN_SUITE (deploy/images/build.sh)")
  [ -z "$OCI_VARIANT" ] || oci+=(--variant "$OCI_VARIANT")
  SOURCE_DATE_EPOCH=$epoch "${oci[@]}" >"$tmp_layout/layout.json"
  rm -f "$WORK/base-layer.tar"
  {
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "os: $os_version"
    echo "java: $java_version ($java_home)"
    echo "rootfs_bytes: $rootfs_bytes"
    echo "sources:"; suite_sources | sed 's/^/  /'
    echo "packages:"; echo "$packages" | sed 's/^/  /'
  } >"$tmp_layout/info.txt"
  rm -rf "$BASE_DIR"; mv "$tmp_layout" "$BASE_DIR"
  # older builds of the same base (another recipe or package list) are not used any more
  find "$CACHE" -maxdepth 1 -name "base-$BASE_TAG-*" ! -path "$BASE_DIR" -exec rm -rf {} +
  elapsed base-build "$t"
}

mkdir -p "$OUT/logs"
if [ "$REBUILD_BASE" = 1 ] || [ ! -f "$BASE_DIR/oci/index.json" ]; then
  build_base
else
  log "base: cached $BASE_DIR (built $(sed -n 's/^built: //p' "$BASE_DIR/info.txt"); --rebuild-base to refresh)"
fi
BASE_LAYER_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layer_size"])' "$BASE_DIR/layout.json")
BASE_ROOTFS_BYTES=$(sed -n 's/^rootfs_bytes: //p' "$BASE_DIR/info.txt")
log "base: $BASE_NAME:$BASE_TAG, $(human "$BASE_ROOTFS_BYTES") unpacked, $(human "$BASE_LAYER_BYTES") compressed"
[ "$BASE_ONLY" = 0 ] || { log "done (--base-only): OCI layout in $BASE_DIR/oci"; exit 0; }

# ---------------------------------------------------------------------------------------------------------------
# 2. local registry, base pushed to it
# ---------------------------------------------------------------------------------------------------------------
t=$(date +%s)
PORT=${LOCAL_REGISTRY_PORT:-$(free_port)}
LOCAL=127.0.0.1:$PORT
mkdir -p "$WORK/registry"
cat >"$WORK/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry/storage
  delete:
    enabled: true
http:
  addr: $LOCAL
EOF
docker-registry serve "$WORK/registry/config.yml" >"$OUT/logs/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://$LOCAL/v2/" 2>/dev/null && break
  kill -0 "$REG_PID" 2>/dev/null || die "docker-registry exited: $(tail -3 "$OUT/logs/registry.log")"
  sleep 0.1
done
curl -fsS -o /dev/null "http://$LOCAL/v2/" || die "local registry did not answer on $LOCAL"
log "registry: docker-registry on $LOCAL (pid $REG_PID), storage $WORK/registry/storage"
skopeo copy --quiet --dest-tls-verify=false --digestfile "$WORK/base.digest" \
  "oci:$BASE_DIR/oci:$BASE_TAG" "docker://$LOCAL/$BASE_NAME:$BASE_TAG"
# Jib takes the base by digest: pinned, and no "does not use a specific image digest" warning
BASE_REF="$LOCAL/$BASE_NAME@$(cat "$WORK/base.digest")"
elapsed registry+base-push "$t"

# ---------------------------------------------------------------------------------------------------------------
# 3. Quarkus Jib builds, pushing to the local registry
# ---------------------------------------------------------------------------------------------------------------
t=$(date +%s)
MODULES=$(IFS=,; echo "${SERVICES[*]}")
MVN=(./mvnw -B)
[ "$MAVEN_OFFLINE" = 0 ] || MVN+=(-o)
MVN+=(-pl "$MODULES" -am package -DskipTests
  -Dquarkus.container-image.build=true
  -Dquarkus.container-image.push=true
  -Dquarkus.container-image.registry="$LOCAL"
  -Dquarkus.container-image.insecure=true
  -Dquarkus.container-image.group="$IMAGE_GROUP"
  -Dquarkus.container-image.tag="$TAG"
  -Dquarkus.jib.base-jvm-image="$BASE_REF"
  -Dquarkus.container-image.labels.\"org.opencontainers.image.title\"='${quarkus.application.name}'
  -Dquarkus.container-image.labels.\"org.opencontainers.image.version\"="$TAG"
  -Dquarkus.container-image.labels.\"org.opencontainers.image.base.name\"="$BASE_NAME:$BASE_TAG")
log "jib: ${MVN[*]}"
if ! "${MVN[@]}" >"$OUT/logs/maven.log" 2>&1; then
  grep -E '^\[ERROR\]' "$OUT/logs/maven.log" | head -30 >&2
  die "Maven/Jib build failed (log: $OUT/logs/maven.log)"
fi
grep -E 'Pushed container image|Created container image' "$OUT/logs/maven.log" | sed 's/^/  /' >&2 || true
elapsed jib-build "$t"

# ---------------------------------------------------------------------------------------------------------------
# 4. tarballs; 5. optional push to a real registry
# ---------------------------------------------------------------------------------------------------------------
t=$(date +%s)
SUMMARY=$OUT/images.txt
{
  echo "# deploy/images/build.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): base $BASE_NAME:$BASE_TAG ($(sed -n 's/^java: //p' "$BASE_DIR/info.txt"))"
  printf '%-36s %-73s %12s %12s\n' image digest compressed tarball
} >"$SUMMARY"
for svc in "${SERVICES[@]}"; do
  ref="$IMAGE_GROUP/$svc:$TAG"
  rm -f "$OUT/$svc.tar"
  skopeo copy --quiet --src-tls-verify=false "docker://$LOCAL/$ref" "docker-archive:$OUT/$svc.tar:$ref"
  manifest=$(skopeo inspect --raw --tls-verify=false "docker://$LOCAL/$ref")
  digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$LOCAL/$ref")
  compressed=$(echo "$manifest" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(sum(l["size"] for l in m["layers"]) + m["config"]["size"])')
  printf '%-36s %-73s %12s %12s\n' "$ref" "$digest" "$(human "$compressed")" "$(human "$(stat -c %s "$OUT/$svc.tar")")" >>"$SUMMARY"
  log "export: $OUT/$svc.tar ($ref, $(human "$(stat -c %s "$OUT/$svc.tar")"); $(human "$compressed") compressed in a registry)"
done
elapsed export "$t"

if [ -n "${REGISTRY:-}" ]; then
  t=$(date +%s)
  auth=()
  if [ -n "${REGISTRY_USER:-}" ]; then
    # an auth file rather than --dest-creds, so the token is not on a command line
    python3 - "$REGISTRY" "$REGISTRY_USER" "${REGISTRY_TOKEN:-}" >"$WORK/auth.json" <<'EOF'
import base64, json, sys
host, user, token = sys.argv[1].split("/")[0], sys.argv[2], sys.argv[3]
print(json.dumps({"auths": {host: {"auth": base64.b64encode(f"{user}:{token}".encode()).decode()}}}))
EOF
    chmod 600 "$WORK/auth.json"
    auth=(--dest-authfile "$WORK/auth.json")
  fi
  for svc in "${SERVICES[@]}"; do
    dest="$REGISTRY/$IMAGE_GROUP/$svc:$TAG"
    log "push: $dest"
    skopeo copy --quiet --src-tls-verify=false --dest-tls-verify="${REGISTRY_TLS_VERIFY:-true}" "${auth[@]}" \
      "docker://$LOCAL/$IMAGE_GROUP/$svc:$TAG" "docker://$dest"
    echo "pushed $dest" >>"$SUMMARY"
  done
  elapsed push "$t"
fi

# the registry is not needed any more
kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; REG_PID=

if [ "$VERIFY" = 1 ]; then
  t=$(date +%s)
  vargs=()
  for svc in "${SERVICES[@]}"; do vargs+=(-s "$svc"); done
  OUT=$OUT bash "$HERE/verify.sh" "${vargs[@]}"
  elapsed verify "$t"
fi

TIMES[total]=$(( $(date +%s) - T0 ))
echo >&2
cat "$SUMMARY" >&2
for k in base-build registry+base-push jib-build export push verify total; do
  [ -z "${TIMES[$k]:-}" ] || printf '  %-18s %4ss\n' "$k" "${TIMES[$k]}"
done | tee -a "$SUMMARY" >&2
