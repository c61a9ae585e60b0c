package io.freightline.events;

import java.util.regex.Pattern;

/**
 * The grammar of artifact references, checked wherever an artifact enters (webhooks, polling, CI events, manual
 * freight) so that nothing that cannot be deployed becomes freight:
 * <ul>
 *   <li>image repository: the OCI distribution reference grammar, an optional registry host (with port) then
 *   lower-case path components separated by {@code /}, at most 255 characters;</li>
 *   <li>image tag: {@value #TAG} (OCI distribution spec);</li>
 *   <li>digest: {@code algorithm:encoded} (OCI image spec), {@code sha256} and {@code sha512} as lower-case hex of
 *   their length;</li>
 *   <li>Helm chart name: {@value #CHART_NAME}; chart version: {@value #CHART_VERSION} (SemVer is the
 *   subscription's business; {@code +} is allowed as Helm allows it);</li>
 *   <li>Git commit: {@value #COMMIT}; Git branch and tag names: a safe subset of git's ref-name rules.</li>
 * </ul>
 * The same expressions are the {@code pattern}s of {@code io.freightline.artifact.discovered.v1.json}.
 */
public final class ArtifactReferences {
    public static final String TAG = "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$";
    public static final String DIGEST = "^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$";
    public static final String CHART_NAME = "^[A-Za-z0-9][A-Za-z0-9._-]{0,249}$";
    public static final String CHART_VERSION = "^[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}$";
    public static final String COMMIT = "^[0-9a-f]{7,64}$";
    /** Branch and tag names: no control characters, spaces or {@code ~^:?*[\}, not starting with {@code -}. */
    public static final String GIT_REF = "^(?!-)(?!.*\\.\\.)(?!.*@\\{)(?!.*//)[A-Za-z0-9._/+@-]{1,255}(?<![./])(?<!\\.lock)$";
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String HOST = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
            + "|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
    /** An image repository with an optional registry host: {@code 127.0.0.1:5000/demo/app}, {@code nginx}. */
    public static final String IMAGE_REPOSITORY = "^(?=.{1,255}$)(?:" + HOST + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*$";

    private static final Pattern TAG_P = Pattern.compile(TAG);
    private static final Pattern DIGEST_P = Pattern.compile(DIGEST);
    private static final Pattern CHART_NAME_P = Pattern.compile(CHART_NAME);
    private static final Pattern CHART_VERSION_P = Pattern.compile(CHART_VERSION);
    private static final Pattern COMMIT_P = Pattern.compile(COMMIT);
    private static final Pattern GIT_REF_P = Pattern.compile(GIT_REF);
    private static final Pattern IMAGE_REPOSITORY_P = Pattern.compile(IMAGE_REPOSITORY);
    private static final Pattern SHA256 = Pattern.compile("^sha256:[a-f0-9]{64}$");
    private static final Pattern SHA512 = Pattern.compile("^sha512:[a-f0-9]{128}$");

    /** What is wrong with an image tag, or null when it is a valid OCI tag. */
    public static String tagProblem(String tag) {
        return problem("tag", tag, TAG_P, "an OCI tag");
    }

    /** What is wrong with a chart version, or null. */
    public static String chartVersionProblem(String version) {
        return problem("tag", version, CHART_VERSION_P, "a chart version");
    }

    /** What is wrong with a Git tag name, or null. */
    public static String gitTagProblem(String tag) {
        return problem("tag", tag, GIT_REF_P, "a Git tag name");
    }

    /** What is wrong with an OCI digest, or null. */
    public static String digestProblem(String digest) {
        String p = problem("digest", digest, DIGEST_P, "an OCI digest (algorithm:hex)");
        if (p != null) return p;
        if (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches()) {
            return "digest " + quote(digest) + " is not sha256: and 64 lower-case hex digits";
        }
        if (digest.startsWith("sha512:") && !SHA512.matcher(digest).matches()) {
            return "digest " + quote(digest) + " is not sha512: and 128 lower-case hex digits";
        }
        return null;
    }

    /**
     * What is wrong with an artifact reference, naming the field ({@code artifact.tag ...}), or null when every
     * part of it follows its grammar.
     */
    public static String problem(ArtifactRef a) {
        if (a == null || a.kind() == null) {
            return "artifact.kind is missing";
        }
        if (a.repoURL() == null || a.repoURL().isBlank()) {
            return "artifact.repoURL is missing";
        }
        String p = switch (a.kind()) {
            case IMAGE -> {
                if (a.tag() == null && a.digest() == null) yield "needs a tag or a digest";
                String r = problem("repoURL", a.repoURL(), IMAGE_REPOSITORY_P, "an OCI image repository");
                if (r == null && a.tag() != null) r = tagProblem(a.tag());
                if (r == null && a.digest() != null) r = digestProblem(a.digest());
                yield r;
            }
            case CHART -> {
                if (a.tag() == null) yield "tag (the chart version) is missing";
                String r = a.name() == null ? null : problem("name", a.name(), CHART_NAME_P, "a Helm chart name");
                if (r == null) r = chartVersionProblem(a.tag());
                if (r == null) r = urlProblem(a.repoURL());
                yield r;
            }
            case GIT -> {
                if (a.commit() == null) yield "commit is missing";
                String r = problem("commit", a.commit(), COMMIT_P, "a Git commit id (7 to 64 lower-case hex digits)");
                if (r == null && a.branch() != null) r = problem("branch", a.branch(), GIT_REF_P, "a Git branch name");
                if (r == null && a.tag() != null) r = gitTagProblem(a.tag());
                if (r == null) r = urlProblem(a.repoURL());
                yield r;
            }
        };
        return p == null ? null : "artifact." + p;
    }

    private static String urlProblem(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7f) return "repoURL " + quote(url) + " contains a space or control character";
        }
        return null;
    }

    private static String problem(String field, String value, Pattern p, String what) {
        if (value == null || !p.matcher(value).matches()) {
            return field + " " + quote(value) + " is not " + what;
        }
        return null;
    }

    /** The value quoted for a message: control characters escaped, cut at 80 characters. */
    public static String quote(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\'' -> b.append("\\'");
                default -> {
                    if (c < ' ' || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        if (s.length() > 80) b.append("...");
        return b.append('\'').toString();
    }

    private ArtifactReferences() {
    }
}
