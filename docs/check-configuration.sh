#!/usr/bin/env bash
# Fails when docs/configuration.md does not name every freightline.* configuration key of the four services.
#
#   bash docs/check-configuration.sh          check (deploy/check.sh runs this; exit status 1 = keys missing)
#   bash docs/check-configuration.sh --list   print every key found, with its env form, default and where it comes from
#
# Keys are collected from each service's src/main/java and src/main/resources/application.properties:
#   - application.properties: every freightline.* key (profile prefixes such as %test. removed; commented-out
#     `# freightline.x=...` examples included) and every ${freightline.*} reference in a value;
#   - @ConfigMapping(prefix = "...") interfaces: prefix + each method name in kebab-case (SmallRye's default naming);
#     a method returning another interface (a group, also inside Optional<>) adds a segment and recurses,
#     Map<String, Group> adds the segment plus a <name> placeholder, @WithName replaces the segment and
#     @WithParentName adds none;
#   - @ConfigProperty(name = "freightline..."), getValue("freightline...")/getOptionalValue("freightline..."),
#     ${freightline.*} expressions (e.g. in @Scheduled) and the keys of custom ConfigSource classes.
# A key whose segment is a map entry (freightline.watcher.credentials.wiremock.host) counts as its pattern
# (freightline.watcher.credentials.<alias>.host); in the doc a placeholder may have any name in angle brackets.
#
# For each key the doc must contain the key itself and its environment variable (upper case, every
# non-alphanumeric character as "_"), each as a whole word; and where the key has a default (@WithDefault, or a
# value in application.properties, which wins), the default column of its table row must show it in backticks.
# Needs bash and python3 (standard library only).
set -uo pipefail
cd "$(dirname "$0")/.."

python3 - "$@" <<'PY'
import os, re, sys

SERVICES = ["artifact-watcher", "promotion-engine", "git-writer", "argocd-notifier"]
DOC = "docs/configuration.md"
LIST = "--list" in sys.argv[1:]

# Keys that cannot be derived from the declarations below. Empty today: every key is either in a
# @ConfigMapping interface, an application.properties file or a ${...}/@ConfigProperty/getValue lookup.
# Add "service": ["freightline.x.y", ...] here, with a comment saying where the key is read, if that changes.
EXPLICIT = {}

keys = {}  # key -> {"service", "sources": set, "default"}
problems = []


def add(key, service, source, default=None):
    k = keys.setdefault(key, {"service": service, "sources": set(), "default": None})
    k["sources"].add(source)
    if default is not None and k["default"] is None:
        k["default"] = default


def kebab(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def env_form(key):
    return re.sub(r"[^A-Za-z0-9<>]", "_", key).upper()


def strip_comments(src):
    src = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def interfaces(src):
    """{name: body-without-nested-bodies} of every interface in a (comment-free) source file."""
    out = {}
    # braces inside string literals ("${java.io.tmpdir}/...") must not count: scan a copy with literals blanked
    masked = re.sub(r'"(?:[^"\\\n]|\\.)*"', lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', src)
    for m in re.finditer(r"\binterface\s+(\w+)[^{;]*\{", masked):
        depth, i, body, start = 1, m.end(), [], m.end()
        while depth:
            c = masked[i]
            if c == "{":
                if depth == 1:
                    body.append(src[start:i])
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 1:
                    start = i + 1
            i += 1
        body.append(src[start:i - 1])
        out[m.group(1)] = ";".join(body)
    return out


METHOD = re.compile(r"((?:@[\w.]+(?:\s*\((?:[^()]|\([^()]*\))*\))?\s*)*)"   # annotations
                    r"([\w.]+(?:\s*<[\w.<>,\s?]*>)?(?:\[\])?)\s+(\w+)\s*\(\s*\)\s*;")


def annotation(annos, name):
    m = re.search(r"@(?:[\w.]+\.)?" + name + r"\b(?:\s*\(\s*(?:value\s*=\s*)?\"((?:[^\"\\]|\\.)*)\"\s*\))?", annos)
    return None if m is None else (m.group(1) if m.group(1) is not None else "")


def unwrap(t):
    t = re.sub(r"\s+", "", t)
    for w in ("Optional", "java.util.Optional"):
        if t.startswith(w + "<") and t.endswith(">"):
            return t[len(w) + 1:-1]
    return t


def walk(service, path, groups, iface, prefix, seen=()):
    if iface in seen:
        problems.append(f"{path}: recursive config group {iface}: list its keys in EXPLICIT")
        return
    for m in METHOD.finditer(groups[iface]):
        annos, rtype, name = m.group(1), unwrap(m.group(2)), m.group(3)
        segment = kebab(name)
        if annotation(annos, "WithName") is not None:
            segment = annotation(annos, "WithName")
        if annotation(annos, "WithParentName") is not None:
            segment = None
        here = prefix if segment is None else prefix + "." + segment
        default = annotation(annos, "WithDefault")
        mp = re.fullmatch(r"(?:java\.util\.)?Map<String,([\w.]+)>", rtype)
        if mp:
            placeholder = "<alias>" if segment == "credentials" else "<name>"
            value = mp.group(1).split(".")[-1]
            if value in groups:
                walk(service, path, groups, value, here + "." + placeholder, seen + (iface,))
            else:
                add(here + "." + placeholder, service, f"{path} ({iface}.{name})", default)
            continue
        simple = rtype.split(".")[-1]
        if re.fullmatch(r"(?:java\.util\.)?(?:List|Set)<[\w.]+>", rtype) and rtype[rtype.index("<") + 1:-1].split(".")[-1] in groups:
            problems.append(f"{path}: {iface}.{name}() is a list of groups: list its keys in EXPLICIT")
            continue
        if simple in groups:
            walk(service, path, groups, simple, here, seen + (iface,))
        else:
            add(here, service, f"{path} ({iface}.{name})", default)


REF = re.compile(r"\$\{(freightline\.[a-z0-9.-]+)(?::([^}]*))?\}")
LOOKUP = re.compile(r"(?:@ConfigProperty\s*\([^)]*?\bname\s*=\s*|get(?:Optional)?Value\s*\(\s*)\"(freightline\.[^\"]+)\"")

for service in SERVICES:
    java_root = os.path.join(service, "src/main/java")
    for dirpath, _, files in os.walk(java_root):
        for f in sorted(files):
            if not f.endswith(".java"):
                continue
            path = os.path.join(dirpath, f)
            src = strip_comments(open(path, encoding="utf-8").read())
            for m in re.finditer(r"@(?:[\w.]+\.)?ConfigMapping\s*\(\s*(?:prefix\s*=\s*)?\"([^\"]+)\"[^)]*\)\s*(?:@[\w.]+(?:\([^)]*\))?\s*)*"
                                 r"(?:public\s+)?interface\s+(\w+)", src):
                prefix, root = m.group(1), m.group(2)
                if prefix.startswith("freightline."):
                    walk(service, path, interfaces(src), root, prefix)
            for m in LOOKUP.finditer(src):
                add(m.group(1), service, path)
            for m in REF.finditer(src):
                add(m.group(1), service, path, m.group(2))
            if re.search(r"\bimplements\s+[\w.]*ConfigSource\b", src):
                for m in re.finditer(r"\"(freightline\.[a-z0-9-]+(?:\.[a-z0-9-]+)+)\"", src):
                    add(m.group(1), service, path + " (ConfigSource)")
    props = os.path.join(service, "src/main/resources/application.properties")
    if os.path.exists(props):
        for n, line in enumerate(open(props, encoding="utf-8"), 1):
            m = re.match(r"\s*(#\s*)?(%[\w,-]+\.)?(freightline\.[A-Za-z0-9.\-\"<>]+)\s*[=:]\s*(.*?)\s*$", line)
            if m:
                profiled = m.group(1) is None and m.group(2) is None
                add(m.group(3), service, f"{props}:{n}" + (" (commented)" if m.group(1) else m.group(2) and f" ({m.group(2)[:-1]})" or ""),
                    m.group(4) if profiled else None)
                if profiled:  # application.properties beats @WithDefault
                    keys[m.group(3)]["default"] = m.group(4)
            if not line.lstrip().startswith("#"):
                for r in REF.finditer(line):
                    add(r.group(1), service, f"{props}:{n} (reference)")

for service, extra in EXPLICIT.items():
    for key in extra:
        add(key, service, "EXPLICIT list in docs/check-configuration.sh")

# A map entry such as credentials.wiremock.host is an instance of credentials.<alias>.host: fold it in.
def pattern(word, placeholder):
    """A regex for word in which every <placeholder> stands for any text matching placeholder."""
    return placeholder.join(re.escape(part) for part in re.split(r"<[^>]+>", word))


patterns = {k: re.compile("^" + pattern(k, "[^.]+") + "$") for k in keys if "<" in k}
for k in [k for k in keys if "<" not in k]:
    for pk, rx in patterns.items():
        if rx.match(k):
            keys[pk]["sources"] |= {s + f" [{k}]" for s in keys.pop(k)["sources"]}
            break

if LIST:
    for k in sorted(keys, key=lambda k: (SERVICES.index(keys[k]["service"]), k)):
        v = keys[k]
        print(f"{v['service']:17} {k:62} {env_form(k):66} {v['default'] if v['default'] is not None else '-':42} "
              f"{'; '.join(sorted(v['sources']))}")
    sys.exit(0)

if not os.path.exists(DOC):
    print(f"  FAIL {DOC} is missing")
    sys.exit(1)
doc = open(DOC, encoding="utf-8").read()


def mentioned(word):
    rx = pattern(word, r"<[^>\s`]+>")  # a placeholder may have any name in the doc
    return re.search(r"(?<![\w.-])" + rx + r"(?![\w-]|\.\w)", doc) is not None


missing = []
for k in sorted(keys, key=lambda k: (SERVICES.index(keys[k]["service"]), k)):
    for word, what in ((k, "key"), (env_form(k), "env")):
        if not mentioned(word):
            missing.append((keys[k]["service"], what, word, sorted(keys[k]["sources"])[0]))

# The default column (third) of a key's table row must show the default from the code or application.properties.
wrong = []
rows = {}
for line in doc.splitlines():
    m = re.match(r"\|\s*`(freightline\.[^`]+)`\s*\|[^|]*\|([^|]*)\|", line)
    if m:
        rows.setdefault(m.group(1), m.group(2))
for k, v in keys.items():
    if v["default"] is not None and k in rows and v["default"] not in re.findall(r"`([^`]+)`", rows[k]):
        wrong.append((v["service"], k, v["default"], rows[k].strip()))

for p in problems:
    print(f"  FAIL {p}")
per_service = {s: sum(1 for v in keys.values() if v["service"] == s) for s in SERVICES}
summary = ", ".join(f"{s} {n}" for s, n in per_service.items())
if missing:
    for service, what, word, source in missing:
        print(f"  FAIL {DOC} does not mention {what} {word} ({service}; from {source})")
    print(f"  FAIL {DOC}: {len(missing)} missing of {2 * len(keys)} keys and env vars ({summary})")
for service, k, default, cell in wrong:
    print(f"  FAIL {DOC}: the default of {k} is `{default}` ({service}), the doc says: {cell}")
if missing or problems or wrong:
    sys.exit(1)
print(f"  ok   {DOC} names all {len(keys)} freightline.* keys and their env vars, defaults match ({summary})")
PY
