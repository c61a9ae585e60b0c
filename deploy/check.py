#!/usr/bin/env python3
"""Checks for deploy/ and docker-compose.yml, run by deploy/check.sh. Standard library only.

  check.py rendered OVERLAY FILE.json   checks one rendered overlay (kubectl kustomize | kubectl annotate --local -o json)
  check.py metrics                      dashboard JSON + metric names used in the dashboard and the rules
  check.py prometheusrule [--write]     the PrometheusRule in base wraps exactly deploy/prometheus/rules.yaml
  check.py compose SERVICES_FILE        docker-compose.yml: services present, topics created with the right compaction

Each check prints "ok ..." or "FAIL ..."; the exit status is the number of failures (capped at 100).
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SERVICES = {  # name -> HTTP port (docs/architecture.md)
    "artifact-watcher": 8081,
    "promotion-engine": 8080,
    "git-writer": 8082,
    "argocd-notifier": 8083,
}
# The workload kind of each service. The artifact-watcher is a StatefulSet: its pod name is its Kafka
# transactional.id (FREIGHTLINE_WATCHER_INSTANCE_ID), which must survive restarts (deploy/base/artifact-watcher.yaml).
WORKLOAD_KINDS = {name: "Deployment" for name in SERVICES} | {"artifact-watcher": "StatefulSet"}
EVENT_TOPICS = ["freightline.artifacts", "freightline.commands", "freightline.promotions",
                "freightline.commits", "freightline.verifications"]
COMPACTED_TOPICS = ["freightline.warehouses", "freightline.state", "freightline.watcher.state"]
DLQ_TOPICS = [t + ".dlq" for t in EVENT_TOPICS + ["freightline.warehouses"]]
ALL_TOPICS = EVENT_TOPICS + COMPACTED_TOPICS + DLQ_TOPICS
CONFIG_KEYS = ["KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_HTTP_HOST", "FREIGHTLINE_ENGINE_MANIFESTS_DIR",
               "FREIGHTLINE_GITWRITER_WORKDIR", "FREIGHTLINE_NOTIFIER_ARGOCD_URL"]
SECRET_ENV = {  # service -> env vars that must come from a Secret
    "artifact-watcher": ["FREIGHTLINE_WATCHER_WEBHOOK_SECRET"],
    "argocd-notifier": ["FREIGHTLINE_NOTIFIER_ARGOCD_TOKEN"],
    "git-writer": ["FREIGHTLINE_GITWRITER_AUTH_USERNAME", "FREIGHTLINE_GITWRITER_AUTH_PASSWORD"],
}
# Prometheus' own series that rules may use besides the documented metrics.
BUILTIN_SERIES = {"up"}
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum", "_max")

failures = 0


def ok(msg):
    print(f"  ok   {msg}")


def fail(msg):
    global failures
    failures += 1
    print(f"  FAIL {msg}")


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


def load_concatenated_json(path):
    """kubectl -o json on several objects prints them one after another (not a List)."""
    text = open(path, encoding="utf-8").read()
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.extend(obj.get("items", []) if obj.get("kind") == "List" else [obj])


# ---------------------------------------------------------------- rendered overlays

def check_rendered(overlay, path):
    objs = load_concatenated_json(path)
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
    print(f"  ..   {overlay}: {len(objs)} objects: " +
          ", ".join(f"{len(v)} {k}" for k, v in sorted(by_kind.items())))

    check(not by_kind.get("Secret"), f"{overlay}: no Secret objects rendered (only references to Secrets)")

    cms = by_kind.get("ConfigMap", [])
    cfg = next((c for c in cms if c["metadata"]["name"].startswith("freightline-config")), None)
    if check(cfg is not None, f"{overlay}: ConfigMap freightline-config present"):
        missing = [k for k in CONFIG_KEYS if k not in cfg.get("data", {})]
        check(not missing, f"{overlay}: ConfigMap has {', '.join(CONFIG_KEYS)}" + (f" (missing {missing})" if missing else ""))
        check(cfg["data"].get("QUARKUS_HTTP_HOST") == "0.0.0.0", f"{overlay}: QUARKUS_HTTP_HOST=0.0.0.0")

    # workloads: service name -> its Deployment or StatefulSet (WORKLOAD_KINDS)
    deployments = {}
    for kind in sorted(set(WORKLOAD_KINDS.values())):
        want = sorted(n for n, k in WORKLOAD_KINDS.items() if k == kind)
        found = {d["metadata"]["name"]: d for d in by_kind.get(kind, [])}
        check(sorted(found) == want, f"{overlay}: exactly the {len(want)} {kind}(s) {want} (found {sorted(found)})")
        deployments.update({n: d for n, d in found.items() if WORKLOAD_KINDS.get(n) == kind})
    services = {s["metadata"]["name"]: s for s in by_kind.get("Service", [])}
    for name, port in SERVICES.items():
        d = deployments.get(name)
        if d is None:
            continue
        check_deployment(overlay, name, port, d, cfg)
        s = services.get(name)
        if check(s is not None, f"{overlay}: Service {name}"):
            sel = s["spec"].get("selector", {})
            pod_labels = d["spec"]["template"]["metadata"].get("labels", {})
            check(sel and all(pod_labels.get(k) == v for k, v in sel.items()), f"{overlay}: Service {name} selects the {d['kind']}'s pods")
            check(any(p.get("port") == port and p.get("name") == "http" for p in s["spec"].get("ports", [])),
                  f"{overlay}: Service {name} exposes port 'http' {port}")
        if d["kind"] == "StatefulSet":
            check(d["spec"].get("serviceName") == name and s is not None,
                  f"{overlay}: StatefulSet {name} serviceName is its Service ({d['spec'].get('serviceName')})")
            check(d["spec"].get("podManagementPolicy") == "Parallel",
                  f"{overlay}: StatefulSet {name} podManagementPolicy Parallel ({d['spec'].get('podManagementPolicy', 'OrderedReady')})")
            check(not d["spec"].get("volumeClaimTemplates"), f"{overlay}: StatefulSet {name} claims no volumes (the watcher keeps its state in Kafka)")

    check_kafka(overlay, by_kind)
    check_monitoring(overlay, by_kind, services)

    if overlay == "production":
        pdbs = by_kind.get("PodDisruptionBudget", [])
        for name, d in deployments.items():
            pod_labels = d["spec"]["template"]["metadata"].get("labels", {})
            covered = [p for p in pdbs if all(pod_labels.get(k) == v for k, v in
                                                p["spec"].get("selector", {}).get("matchLabels", {}).items())
                       and p["spec"].get("selector", {}).get("matchLabels")]
            check(len(covered) == 1, f"{overlay}: one PodDisruptionBudget covers {name}")
            replicas = d["spec"].get("replicas", 1)
            if name == "artifact-watcher":
                # artifact-watcher/README.md: "Run one polling instance (or poll.enabled=false on the others)".
                # Every pod of the StatefulSet has the same template, so more than one replica means more than one
                # poller unless polling is off for all of them.
                c = next((c for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == name), {})
                poll = {e["name"]: e.get("value") for e in c.get("env", [])}.get(
                    "FREIGHTLINE_WATCHER_POLL_ENABLED", (cfg or {}).get("data", {}).get("FREIGHTLINE_WATCHER_POLL_ENABLED", "true"))
                pollers = replicas if str(poll).lower() != "false" else 0
                check(pollers <= 1, f"{overlay}: {name} runs at most one polling replica "
                                    f"({replicas} replica(s), FREIGHTLINE_WATCHER_POLL_ENABLED={poll})")
            else:
                check(replicas >= 2, f"{overlay}: {name} runs >= 2 replicas ({replicas})")
        images = [c["image"] for d in deployments.values() for c in d["spec"]["template"]["spec"]["containers"]]
        check(all(":" in i and not i.endswith(":latest") for i in images), f"{overlay}: images pinned to a tag: {images}")


def check_deployment(overlay, name, port, d, cfg):
    pod = d["spec"]["template"]["spec"]
    containers = pod.get("containers", [])
    c = next((c for c in containers if c["name"] == name), None)
    if not check(c is not None, f"{overlay}: {name} has container {name}"):
        return
    live = c.get("livenessProbe", {}).get("httpGet", {})
    ready = c.get("readinessProbe", {}).get("httpGet", {})
    check(live.get("path") == "/q/health/live" and ready.get("path") == "/q/health/ready",
          f"{overlay}: {name} liveness /q/health/live + readiness /q/health/ready")
    res = c.get("resources", {})
    check(all(k in res.get("requests", {}) for k in ("cpu", "memory")) and "memory" in res.get("limits", {}),
          f"{overlay}: {name} has resource requests (cpu, memory) and a memory limit")
    check(any(p.get("containerPort") == port and p.get("name") == "http" for p in c.get("ports", [])),
          f"{overlay}: {name} container port http={port}")
    image = c.get("image", "")
    check(image.split("@")[0].rsplit(":", 1)[0].endswith("freightline/" + name), f"{overlay}: {name} image {image}")
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and csc.get("readOnlyRootFilesystem") is True
          and csc.get("allowPrivilegeEscalation") is False,
          f"{overlay}: {name} non-root, read-only root fs, no privilege escalation")
    env = {e["name"]: e for e in c.get("env", [])}
    check(env.get("QUARKUS_HTTP_PORT", {}).get("value") == str(port), f"{overlay}: {name} QUARKUS_HTTP_PORT={port}")
    if name == "artifact-watcher":
        field = env.get("FREIGHTLINE_WATCHER_INSTANCE_ID", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        check(d["kind"] == "StatefulSet" and field == "metadata.name",
              f"{overlay}: {name} FREIGHTLINE_WATCHER_INSTANCE_ID is the StatefulSet pod name ({d['kind']}, fieldRef {field})")
    if cfg is not None:
        check(any(e.get("configMapRef", {}).get("name") == cfg["metadata"]["name"] for e in c.get("envFrom", [])),
              f"{overlay}: {name} takes envFrom ConfigMap {cfg['metadata']['name']}")
    for var in SECRET_ENV.get(name, []):
        ref = env.get(var, {}).get("valueFrom", {}).get("secretKeyRef")
        check(bool(ref and ref.get("name") and ref.get("key")), f"{overlay}: {name} {var} from a Secret ({ref and ref.get('name')})")
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    check("emptyDir" in volumes.get(mounts.get("/tmp", ""), {}), f"{overlay}: {name} has a writable emptyDir at /tmp")
    if name == "git-writer" and cfg is not None:
        workdir = cfg.get("data", {}).get("FREIGHTLINE_GITWRITER_WORKDIR")
        check("emptyDir" in volumes.get(mounts.get(workdir, ""), {}), f"{overlay}: git-writer emptyDir mounted at workdir {workdir}")
    if name == "promotion-engine":
        tokens = env.get("FREIGHTLINE_ENGINE_AUTH_TOKENS_FILE", {}).get("value", "")
        vol = volumes.get(mounts.get(os.path.dirname(tokens), ""), {})
        check(bool(tokens) and "secret" in vol, f"{overlay}: FREIGHTLINE_ENGINE_AUTH_TOKENS_FILE={tokens} is in a mounted Secret ({vol.get('secret', {}).get('secretName')})")
        if cfg is not None:
            mdir = cfg.get("data", {}).get("FREIGHTLINE_ENGINE_MANIFESTS_DIR")
            check(mdir in mounts, f"{overlay}: promotion-engine mounts the manifests dir {mdir}")


def check_kafka(overlay, by_kind):
    kafkas = by_kind.get("Kafka", [])
    if not check(len(kafkas) == 1, f"{overlay}: one Strimzi Kafka"):
        return
    cluster = kafkas[0]["metadata"]["name"]
    kcfg = kafkas[0]["spec"]["kafka"].get("config", {})
    pools = [p for p in by_kind.get("KafkaNodePool", []) if p["metadata"].get("labels", {}).get("strimzi.io/cluster") == cluster]
    roles = {r for p in pools for r in p["spec"].get("roles", [])}
    check({"controller", "broker"} <= roles, f"{overlay}: KRaft node pools for cluster {cluster} with controller and broker roles ({[p['metadata']['name'] for p in pools]})")
    brokers = sum(p["spec"].get("replicas", 0) for p in pools if "broker" in p["spec"].get("roles", []))
    topics = {}
    for t in by_kind.get("KafkaTopic", []):
        topics[t["spec"].get("topicName", t["metadata"]["name"])] = t
    missing = [t for t in ALL_TOPICS if t not in topics]
    check(not missing, f"{overlay}: KafkaTopic for all {len(ALL_TOPICS)} topics" + (f" (missing {missing})" if missing else ""))
    extra = [t for t in topics if t not in ALL_TOPICS]
    check(not extra, f"{overlay}: no unknown KafkaTopics" + (f" ({extra})" if extra else ""))
    bad = []
    for name, t in topics.items():
        spec = t["spec"]
        policy = spec.get("config", {}).get("cleanup.policy")
        want = "compact" if name in COMPACTED_TOPICS else "delete"
        if policy != want:
            bad.append(f"{name}: cleanup.policy={policy}, want {want}")
        if t["metadata"].get("labels", {}).get("strimzi.io/cluster") != cluster:
            bad.append(f"{name}: not labelled strimzi.io/cluster={cluster}")
        if not (1 <= spec.get("replicas", 0) <= brokers):
            bad.append(f"{name}: replicas {spec.get('replicas')} not within 1..{brokers} brokers")
        if spec.get("partitions", 0) < 1:
            bad.append(f"{name}: partitions {spec.get('partitions')}")
        if name not in COMPACTED_TOPICS and not spec.get("config", {}).get("retention.ms"):
            bad.append(f"{name}: no retention.ms")
        minisr = int(spec.get("config", {}).get("min.insync.replicas", kcfg.get("min.insync.replicas", 1)))
        if minisr > spec.get("replicas", 0):
            bad.append(f"{name}: min.insync.replicas {minisr} > replicas")
    check(not bad, f"{overlay}: topics compact exactly {COMPACTED_TOPICS}, others delete with retention; replicas fit {brokers} broker(s)" + (f": {bad}" if bad else ""))
    parts = {topics[t]["spec"]["partitions"] for t in EVENT_TOPICS + COMPACTED_TOPICS if t in topics}
    check(len(parts) == 1, f"{overlay}: event and compacted topics share one partition count {sorted(parts)} (co-partitioned by project)")
    if overlay == "production":
        check(brokers >= 3, f"{overlay}: >= 3 brokers ({brokers})")
        check(all(t["spec"].get("replicas") == 3 for t in topics.values()), f"{overlay}: every topic has 3 replicas")
        check(min(parts) >= 6, f"{overlay}: >= 6 partitions per event topic ({sorted(parts)})")
        check(int(kcfg.get("min.insync.replicas", 1)) >= 2 and int(kcfg.get("offsets.topic.replication.factor", 1)) >= 3,
              f"{overlay}: Kafka min.insync.replicas >= 2, offsets topic replicated 3x")


def check_monitoring(overlay, by_kind, services):
    sms = by_kind.get("ServiceMonitor", [])
    for name in SERVICES:
        svc = services.get(name)
        found = [
            sm for sm in sms
            if svc is not None
            and sm["spec"].get("selector", {}).get("matchLabels")
            and all(svc["metadata"].get("labels", {}).get(k) == v for k, v in sm["spec"]["selector"]["matchLabels"].items())
            and any(e.get("path") == "/q/metrics" and e.get("port") == "http" for e in sm["spec"].get("endpoints", []))
        ]
        check(len(found) == 1, f"{overlay}: a ServiceMonitor scrapes {name} at http /q/metrics")
    rules = by_kind.get("PrometheusRule", [])
    check(len(rules) == 1 and rules[0]["spec"].get("groups"), f"{overlay}: PrometheusRule with rule groups")


# ---------------------------------------------------------------- metrics in dashboard and rules

def documented_metrics():
    text = open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8").read()
    section = text.split("## Metrics", 1)[1] if "## Metrics" in text else ""
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    return set(re.findall(r"`((?:freightline|kafka)_[a-z0-9_]+)`", section))


def metric_ok(name, allowed):
    if name in allowed:
        return True
    return any(name.endswith(s) and name[: -len(s)] in allowed for s in HISTOGRAM_SUFFIXES)


def unknown_metrics(expr, allowed):
    bad = set()
    for m in re.finditer(r"\b((?:freightline|kafka)_[a-zA-Z0-9_]+)", expr):
        if not metric_ok(m.group(1), allowed):
            bad.add(m.group(1))
    # any other bare series selector: identifier directly followed by {
    for m in re.finditer(r"(?<![\w.\"$])([a-zA-Z_:][a-zA-Z0-9_:]*)\{", expr):
        n = m.group(1)
        if not metric_ok(n, allowed) and n not in BUILTIN_SERIES:
            bad.add(n)
    return bad


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def check_metrics():
    allowed = documented_metrics()
    check(len(allowed) >= 20, f"docs/architecture.md lists {len(allowed)} metric names")

    path = os.path.join(ROOT, "deploy", "grafana", "freightline.json")
    try:
        dash = json.load(open(path, encoding="utf-8"))
        ok("deploy/grafana/freightline.json is valid JSON")
    except (OSError, ValueError) as e:
        fail(f"deploy/grafana/freightline.json: {e}")
        return
    check(36 <= dash.get("schemaVersion", 0) <= 41, f"dashboard schemaVersion {dash.get('schemaVersion')}")
    check(dash.get("uid") and dash.get("title"), f"dashboard uid/title: {dash.get('uid')} / {dash.get('title')}")
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    check(variables.get("DS_PROMETHEUS", {}).get("type") == "datasource", "dashboard has a datasource variable DS_PROMETHEUS")
    check(all(v in variables and variables[v].get("type") == "query" for v in ("project", "stage")),
          "dashboard has query variables project and stage")
    panels = [p for p in walk_panels(dash.get("panels", [])) if p.get("type") != "row"]
    exprs, bad_ds, ids = [], [], []
    for p in panels:
        ids.append(p.get("id"))
        for t in p.get("targets", []):
            exprs.append((p.get("title"), t.get("expr", "")))
            if (t.get("datasource") or p.get("datasource") or {}).get("uid") != "${DS_PROMETHEUS}":
                bad_ds.append(p.get("title"))
    for v in variables.values():
        if v.get("type") == "query":
            q = v.get("query")
            exprs.append((f"variable {v['name']}", q.get("query", "") if isinstance(q, dict) else (q or "")))
    check(len(ids) == len(set(ids)), f"dashboard panel ids unique ({len(panels)} panels, {len(exprs)} queries)")
    check(not bad_ds, "every dashboard query uses datasource ${DS_PROMETHEUS}" + (f" (not: {bad_ds})" if bad_ds else ""))
    bad = {}
    for title, e in exprs:
        for n in unknown_metrics(e, allowed):
            bad.setdefault(n, []).append(title)
    check(not bad, "every metric in the dashboard is documented in docs/architecture.md" + (f": unknown {bad}" if bad else ""))
    used = " ".join(e for _, e in exprs)
    wanted = {
        "lead time per stage": r"histogram_quantile\(0\.\d+, .*?freightline_promotion_lead_time_seconds_bucket\{[^}]*stage=~",
        "promotions by state": r"freightline_promotions_total",
        "queue depth": r"freightline_promotion_queue_depth",
        "time to synced": r"freightline_argocd_time_to_synced_seconds_bucket",
        "time to healthy": r"freightline_argocd_time_to_healthy_seconds_bucket",
        "webhook deliveries": r"freightline_webhook_deliveries_total",
        "git push duration": r"freightline_git_push_duration_seconds_bucket",
        "git push retries": r"freightline_git_push_retries_total",
        "git push batch size": r"freightline_git_push_batch_size",
        "consumer lag": r"kafka_consumer_fetch_manager_records_lag_max",
    }
    missing = [k for k, rx in wanted.items() if not re.search(rx, used)]
    check(not missing, f"dashboard covers: {', '.join(wanted)}" + (f" (missing {missing})" if missing else ""))

    rules_text = open(os.path.join(ROOT, "deploy", "prometheus", "rules.yaml"), encoding="utf-8").read()
    exprs = rule_exprs(rules_text)
    bad = set().union(*(unknown_metrics(e, allowed) for e in exprs)) if exprs else set()
    bad |= {n for n in re.findall(r"\b((?:freightline|kafka)_[a-zA-Z0-9_]+)", rules_text) if not metric_ok(n, allowed)}
    check(bool(exprs) and not bad, f"every metric in deploy/prometheus/rules.yaml ({len(exprs)} exprs) is documented" + (f": unknown {sorted(bad)}" if bad else ""))
    alerts = re.findall(r"^\s*- alert:\s*(\S+)", rules_text, re.M)
    for what, rx in {
        "failed promotions": r"freightline_promotions_total\{state=~\"\(\?i\)failed\"",
        "stuck promotions": r"(?i)running\|syncing",
        "queue not draining": r"freightline_promotion_queue_depth",
        "consumer lag": r"deriv\(kafka_consumer_fetch_manager_records_lag_max",
        "webhook signature failures": r"outcome=\"unauthorized\"",
        "Argo CD errors": r"freightline_argocd_request_duration_seconds_count",
    }.items():
        check(any(re.search(rx, e) for e in exprs), f"rules alert on {what}")
    check(len(alerts) == len(set(alerts)), f"alert names unique: {', '.join(alerts)}")


def rule_exprs(text):
    """The expr of each rule: `expr: x` or a `expr: |` block (YAML-free)."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)expr:\s*(.*)$", lines[i])
        if m:
            indent, rest = len(m.group(1)), m.group(2)
            if rest.startswith(("|", ">")):
                block, i = [], i + 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                out.append(" ".join(block))
                continue
            out.append(rest)
        i += 1
    return out


# ---------------------------------------------------------------- PrometheusRule == rules.yaml

PROMETHEUSRULE_HEADER = """\
# GENERATED from deploy/prometheus/rules.yaml by `bash deploy/check.sh --sync-rules`: edit that file, not this one.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: freightline
  labels:
    app.kubernetes.io/name: freightline
  annotations:
    argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true
spec:
"""


def prometheusrule_text():
    rules = open(os.path.join(ROOT, "deploy", "prometheus", "rules.yaml"), encoding="utf-8").read().splitlines()
    start = next(i for i, l in enumerate(rules) if l.startswith("groups:"))
    body = [("  " + l) if l.strip() else "" for l in rules[start:]]
    return PROMETHEUSRULE_HEADER + "\n".join(body).rstrip() + "\n"


def check_prometheusrule(write):
    path = os.path.join(ROOT, "deploy", "base", "monitoring", "prometheusrule.yaml")
    want = prometheusrule_text()
    if write:
        open(path, "w", encoding="utf-8").write(want)
        ok(f"wrote {os.path.relpath(path, ROOT)} from deploy/prometheus/rules.yaml")
        return
    have = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    check(have == want, "deploy/base/monitoring/prometheusrule.yaml wraps exactly deploy/prometheus/rules.yaml"
          + ("" if have == want else " (run: bash deploy/check.sh --sync-rules)"))


# ---------------------------------------------------------------- docker-compose.yml

def check_compose(services_file):
    listed = set(open(services_file, encoding="utf-8").read().split())
    want = {"kafka", "kafka-init", "gitea", "prometheus", "grafana", *SERVICES}
    check(want <= listed, f"docker-compose services include {sorted(want)}" + (f" (missing {sorted(want - listed)})" if not want <= listed else ""))
    text = open(os.path.join(ROOT, "docker-compose.yml"), encoding="utf-8").read()
    created = {m.group(1): m.group(2) for m in re.finditer(r"^\s*create\s+(freightline\.[\w.]+)\s+\d+\s+(.*)$", text, re.M)}
    missing = [t for t in ALL_TOPICS if t not in created]
    check(not missing, f"kafka-init creates all {len(ALL_TOPICS)} topics" + (f" (missing {missing})" if missing else ""))
    wrong = [t for t, cfg in created.items()
             if ("cleanup.policy=compact" in cfg) != (t in COMPACTED_TOPICS)]
    check(not wrong, f"kafka-init compacts exactly {COMPACTED_TOPICS}" + (f" (wrong: {wrong})" if wrong else ""))
    for name, port in SERVICES.items():
        check(re.search(rf"^\s+QUARKUS_HTTP_PORT:\s*\"?{port}\"?\s*$", text, re.M) is not None and f"{port}:{port}" in text,
              f"compose {name} listens on and publishes {port}")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "rendered":
        check_rendered(argv[2], argv[3])
    elif cmd == "metrics":
        check_metrics()
    elif cmd == "prometheusrule":
        check_prometheusrule("--write" in argv)
    elif cmd == "compose":
        check_compose(argv[2])
    else:
        print(__doc__)
        return 2
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
