package io.freightline.template.expr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import org.semver4j.Semver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Kargo's expression functions, and the expr-lang built-ins templates commonly use, as the default (unnamed)
 * function namespace of the JEXL engine. One instance per evaluation: it reads that evaluation's {@link Scope}.
 * Method names are the expression names, hence the Go-style capitals of {@link Version}.
 */
@SuppressWarnings("unused") // every public method is called from expressions
public final class Functions {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper COMPACT_JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final Scope scope;

    Functions(Scope scope) {
        this.scope = scope;
    }

    // --- strings and serialisation

    /** The value as a string that stays a string after Kargo's JSON coercion: a JSON string literal. */
    public String quote(Object value) {
        return jsonString(Expressions.text(value));
    }

    /** Like {@link #quote} but strings keep visible quotes after coercion. */
    public String unsafeQuote(Object value) {
        return value instanceof CharSequence s ? jsonString(jsonString(s.toString())) : quote(value);
    }

    public String asJSON(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("asJSON: " + e.getOriginalMessage());
        }
    }

    public String asYAML(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("asYAML: " + e.getOriginalMessage());
        }
    }

    static String jsonString(String s) {
        try {
            return COMPACT_JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- secrets, config maps, metadata

    public Map<String, String> secret(String name) {
        return scope.lookups().secret(name);
    }

    public Map<String, String> sharedSecret(String name) {
        return scope.lookups().sharedSecret(name);
    }

    public Map<String, String> configMap(String name) {
        return scope.lookups().configMap(name);
    }

    public Map<String, String> sharedConfigMap(String name) {
        return scope.lookups().sharedConfigMap(name);
    }

    public Map<String, Object> freightMetadata(String freight) {
        return scope.lookups().freightMetadata(freight);
    }

    public Map<String, Object> freightStatus(String freight) {
        return scope.lookups().freightStatus(freight);
    }

    public Map<String, Object> stageMetadata(String stage) {
        return scope.lookups().stageMetadata(stage);
    }

    // --- freight

    /** A FreightOrigin: {@code {Kind: Warehouse, Name: name}}. */
    public Map<String, Object> warehouse(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Kind", "Warehouse");
        m.put("Name", name);
        return m;
    }

    public Map<String, Object> imageFrom(String repoURL) {
        return imageFrom(repoURL, null);
    }

    public Map<String, Object> imageFrom(String repoURL, Map<String, Object> origin) {
        ArtifactRef a = find(ArtifactKind.IMAGE, repoURL, null, origin);
        if (a == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("RepoURL", a.repoURL());
        m.put("Tag", a.tag());
        m.put("Digest", a.digest());
        m.put("Annotations", Map.of());
        return m;
    }

    public Map<String, Object> chartFrom(String repoURL) {
        return chartFrom(repoURL, null, null);
    }

    /** {@code chartFrom(repo, name)} or {@code chartFrom(repo, warehouse(...))}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> chartFrom(String repoURL, Object nameOrOrigin) {
        if (nameOrOrigin instanceof Map<?, ?> origin) return chartFrom(repoURL, null, (Map<String, Object>) origin);
        return chartFrom(repoURL, nameOrOrigin == null ? null : nameOrOrigin.toString(), null);
    }

    public Map<String, Object> chartFrom(String repoURL, String name, Map<String, Object> origin) {
        ArtifactRef a = find(ArtifactKind.CHART, repoURL, name, origin);
        if (a == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("RepoURL", a.repoURL());
        m.put("Name", a.name());
        m.put("Version", a.tag());
        return m;
    }

    public Map<String, Object> commitFrom(String repoURL) {
        return commitFrom(repoURL, null);
    }

    public Map<String, Object> commitFrom(String repoURL, Map<String, Object> origin) {
        ArtifactRef a = find(ArtifactKind.GIT, repoURL, null, origin);
        if (a == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("RepoURL", a.repoURL());
        m.put("ID", a.commit());
        m.put("Branch", a.branch());
        m.put("Tag", a.tag());
        m.put("Message", null);
        m.put("Author", null);
        m.put("Committer", null);
        return m;
    }

    private ArtifactRef find(ArtifactKind kind, String repoURL, String name, Map<String, Object> origin) {
        String wh = origin == null ? null : Objects.toString(origin.get("Name"), null);
        for (FreightRef f : scope.freight()) {
            if (wh != null && !wh.equals(f.warehouse())) continue;
            for (ArtifactRef a : f.artifacts()) {
                if (a.kind() == kind && RepoUrls.same(a.repoURL(), repoURL) && (name == null || name.equals(a.name()))) {
                    return a;
                }
            }
        }
        return null;
    }

    // --- step outcomes

    public boolean always() {
        return true;
    }

    public boolean success() {
        return !scope.steps().anyFailed();
    }

    public boolean failure() {
        return scope.steps().anyFailed();
    }

    public String status(String alias) {
        return scope.steps().status(alias);
    }

    // --- semantic versions

    public Version semverParse(String version) {
        Semver v = version == null ? null : Semver.parse(strip(version));
        if (v == null) throw new IllegalArgumentException("semverParse: '" + version + "' is not a semantic version");
        return new Version(v);
    }

    /** Major, Minor, Patch, Metadata, None or Incomparable: the most significant component that differs. */
    public String semverDiff(String a, String b) {
        Semver x = a == null ? null : Semver.parse(strip(a));
        Semver y = b == null ? null : Semver.parse(strip(b));
        if (x == null || y == null) return "Incomparable";
        if (x.getMajor() != y.getMajor()) return "Major";
        if (x.getMinor() != y.getMinor()) return "Minor";
        if (x.getPatch() != y.getPatch() || !x.getPreRelease().equals(y.getPreRelease())) return "Patch";
        if (!x.getBuild().equals(y.getBuild())) return "Metadata";
        return "None";
    }

    private static String strip(String v) {
        String s = v.trim();
        return s.startsWith("v") || s.startsWith("V") ? s.substring(1) : s;
    }

    /** What {@code semverParse} returns; method names as Kargo documents them. */
    public static final class Version {
        private final Semver v;

        Version(Semver v) {
            this.v = v;
        }

        public long Major() {
            return v.getMajor();
        }

        public long Minor() {
            return v.getMinor();
        }

        public long Patch() {
            return v.getPatch();
        }

        public String Prerelease() {
            return String.join(".", v.getPreRelease());
        }

        public String Metadata() {
            return String.join(".", v.getBuild());
        }

        public Version IncMajor() {
            return new Version(v.nextMajor());
        }

        public Version IncMinor() {
            return new Version(v.nextMinor());
        }

        public Version IncPatch() {
            // a pre-release bumps to its release, as in SemVer ordering (1.2.3-rc.1 -> 1.2.3)
            return new Version(v.getPreRelease().isEmpty() ? v.nextPatch() : v.withClearedPreReleaseAndBuild());
        }

        public String String() {
            return v.getVersion();
        }

        @Override
        public String toString() {
            return v.getVersion();
        }
    }

    // --- expr-lang built-ins that templates use (expr's own names)

    public int len(Object v) {
        if (v == null) return 0;
        if (v instanceof CharSequence s) return s.toString().codePointCount(0, s.length());
        if (v instanceof Collection<?> c) return c.size();
        if (v instanceof Map<?, ?> m) return m.size();
        if (v.getClass().isArray()) return java.lang.reflect.Array.getLength(v);
        throw new IllegalArgumentException("len: not a string, array or map");
    }

    public String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    public String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    public String trim(String s) {
        return s.strip();
    }

    public String trimPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }

    public String trimSuffix(String s, String suffix) {
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }

    public boolean hasPrefix(String s, String prefix) {
        return s.startsWith(prefix);
    }

    public boolean hasSuffix(String s, String suffix) {
        return s.endsWith(suffix);
    }

    public List<String> split(String s, String sep) {
        List<String> out = new ArrayList<>();
        int from = 0, at;
        while (!sep.isEmpty() && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    public String join(Collection<?> items, String sep) {
        List<String> parts = new ArrayList<>();
        items.forEach(i -> parts.add(Expressions.text(i)));
        return String.join(sep, parts);
    }

    public String replace(String s, String from, String to) {
        return s.replace(from, to);
    }

    public int indexOf(String s, String part) {
        return s.indexOf(part);
    }

    public String repeat(String s, int n) {
        return s.repeat(n);
    }

    public String string(Object v) {
        return Expressions.text(v);
    }

    public long toInt(Object v) {
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
    }

    public double toFloat(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
    }

    public String toJSON(Object v) {
        return asJSON(v);
    }

    public Object fromJSON(String s) {
        try {
            return COMPACT_JSON.readValue(s, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("fromJSON: " + e.getOriginalMessage());
        }
    }

    public String toBase64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public String fromBase64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    public List<Object> keys(Map<?, ?> m) {
        return new ArrayList<>(m.keySet());
    }

    public List<Object> values(Map<?, ?> m) {
        return new ArrayList<>(m.values());
    }

    // --- time (expr-lang's date() and now())

    public GoTime date(String s) {
        return GoTime.parse(s);
    }

    public GoTime date(GoTime t) {
        return t;
    }

    public GoTime now() {
        return GoTime.of(java.time.Instant.now());
    }
}
