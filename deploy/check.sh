#!/usr/bin/env bash
# Checks deploy/ and docker-compose.yml; CI runs it. Exits non-zero on any failure.
#
#   bash deploy/check.sh               run every check
#   bash deploy/check.sh --sync-rules  rewrite deploy/base/monitoring/prometheusrule.yaml from
#                                      deploy/prometheus/rules.yaml, then run every check
#
# Needs kubectl (>= 1.27, for its built-in kustomize) and python3 (standard library only).
# docker-compose and promtool are installed with apt-get when missing and this runs as root;
# without them those checks are skipped with a message (CI installs them).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

FAILED=()
section() { printf '\n== %s\n' "$*"; }
ok() { printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*"; FAILED+=("$*"); }
skip() { printf '  SKIP %s\n' "$*"; }
# run_py LABEL ARGS...: the python checks print their own ok/FAIL lines; exit status = failures
run_py() {
  local label=$1; shift
  python3 deploy/check.py "$@" || fail "$label"
}
# try_install CMD PACKAGE: install a Debian package when CMD is missing and we can
try_install() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "  ..   $1 not found: apt-get install -y $2"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >"$TMP/apt-$2.log" 2>&1 \
      || { tail -5 "$TMP/apt-$2.log"; return 1; }
    command -v "$1" >/dev/null 2>&1
  else
    return 1
  fi
}

command -v kubectl >/dev/null 2>&1 || { echo "kubectl is required (kubectl kustomize)"; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is required"; exit 2; }

if [ "${1:-}" = "--sync-rules" ]; then
  section "sync PrometheusRule from deploy/prometheus/rules.yaml"
  python3 deploy/check.py prometheusrule --write || exit 1
fi

section "(a) kustomize renders the overlays"
for overlay in dev production; do
  if kubectl kustomize "deploy/overlays/$overlay" >"$TMP/$overlay.yaml" 2>"$TMP/$overlay.err"; then
    ok "kubectl kustomize deploy/overlays/$overlay ($(grep -c '^kind:' "$TMP/$overlay.yaml") objects)"
  else
    cat "$TMP/$overlay.err"
    fail "kubectl kustomize deploy/overlays/$overlay"
    continue
  fi
  # kubectl has no YAML->JSON converter, but a --local annotate prints the objects as JSON offline,
  # so python needs no YAML library.
  if kubectl annotate --local --overwrite -f "$TMP/$overlay.yaml" -o json freightline.io/checked=true \
      >"$TMP/$overlay.json" 2>"$TMP/$overlay.err"; then
    :
  else
    cat "$TMP/$overlay.err"
    fail "convert the rendered $overlay overlay to JSON"
    continue
  fi
  section "(b) rendered $overlay overlay"
  run_py "rendered $overlay overlay" rendered "$overlay" "$TMP/$overlay.json"
done

section "Argo CD Application"
app=deploy/argocd/freightline-application.yaml
if kubectl annotate --local --overwrite -f "$app" -o json freightline.io/checked=true >"$TMP/app.json" 2>"$TMP/app.err" \
   && python3 - "$TMP/app.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
src = a["spec"]["source"]
assert a["kind"] == "Application" and a["apiVersion"] == "argoproj.io/v1alpha1", "not an argoproj.io/v1alpha1 Application"
assert src["path"] == "deploy/overlays/production", f"path {src['path']}"
assert a["spec"]["destination"].get("namespace"), "no destination namespace"
PY
then
  ok "$app deploys deploy/overlays/production"
else
  cat "$TMP/app.err" 2>/dev/null
  fail "$app"
fi

section "PrometheusRule"
run_py "PrometheusRule in sync with rules.yaml" prometheusrule

section "(c) docker-compose.yml"
if try_install docker-compose docker-compose; then
  if docker-compose -f docker-compose.yml config -q 2>"$TMP/compose.err"; then
    ok "docker-compose config -q ($(docker-compose version --short 2>/dev/null))"
    docker-compose -f docker-compose.yml config --services >"$TMP/compose.services" 2>/dev/null
    run_py "docker-compose.yml contents" compose "$TMP/compose.services"
  else
    cat "$TMP/compose.err"
    fail "docker-compose config -q"
  fi
else
  skip "docker-compose is not installed and could not be installed (apt-get install docker-compose): compose file NOT validated"
fi

section "(d) Grafana dashboard and metric names"
run_py "dashboard and rule metrics" metrics
for f in deploy/grafana/provisioning/datasources/*.yaml deploy/grafana/provisioning/dashboards/*.yaml; do
  [ -s "$f" ] && ok "$f present" || fail "$f missing or empty"
done

section "(e) promtool"
if try_install promtool prometheus; then
  if promtool check rules deploy/prometheus/rules.yaml >"$TMP/promtool.out" 2>&1; then
    ok "promtool check rules deploy/prometheus/rules.yaml: $(grep -o '[0-9]* rules found' "$TMP/promtool.out")"
  else
    cat "$TMP/promtool.out"
    fail "promtool check rules deploy/prometheus/rules.yaml"
  fi
  # prometheus.yml names the rules by their path inside the container; point it at the file here.
  sed "s#/etc/prometheus/rules.yaml#$ROOT/deploy/prometheus/rules.yaml#" deploy/prometheus/prometheus.yml >"$TMP/prometheus.yml"
  if promtool check config "$TMP/prometheus.yml" >"$TMP/promtool.out" 2>&1; then
    ok "promtool check config deploy/prometheus/prometheus.yml"
  else
    cat "$TMP/promtool.out"
    fail "promtool check config deploy/prometheus/prometheus.yml"
  fi
else
  skip "promtool not available (Debian package 'prometheus'): rules only checked by check.py"
fi

section "(f) configuration reference"
bash docs/check-configuration.sh || fail "docs/configuration.md misses or misstates freightline.* keys"

echo
if [ ${#FAILED[@]} -eq 0 ]; then
  echo "deploy/check.sh: all checks passed"
else
  echo "deploy/check.sh: ${#FAILED[@]} check group(s) failed:"
  printf '  - %s\n' "${FAILED[@]}"
  exit 1
fi
