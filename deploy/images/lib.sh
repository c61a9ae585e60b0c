# Shared by deploy/images/build.sh and verify.sh (sourced, not run): the repository root, the services, the image
# names, logging and argument checks.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE/../.."
ROOT=$(pwd)
ALL_SERVICES=(artifact-watcher promotion-engine git-writer argocd-notifier)

OUT=${OUT:-$ROOT/target/images}
TAG=${TAG:-0.1.0}
IMAGE_GROUP=${IMAGE_GROUP:-freightline}
MAVEN_OFFLINE=${MAVEN_OFFLINE:-1}

T0=$(date +%s)
log() { printf '[%s +%3ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# usage: the calling script's header comment, up to `set -euo pipefail`
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# check_services NAME...: every name is one of ALL_SERVICES
check_services() {
  local s
  for s in "$@"; do
    [[ " ${ALL_SERVICES[*]} " == *" $s "* ]] || { echo "unknown service: $s (one of: ${ALL_SERVICES[*]})" >&2; exit 2; }
  done
}
