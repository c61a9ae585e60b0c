package io.freightline.gitwriter.steps.gitwaitforpr;

/**
 * Config of {@code git-wait-for-pr} (Kargo's shape).
 *
 * @param prNumber     the pull request to wait for (usually {@code ${{ outputs['open-pr'].pr.id }}})
 * @param pollInterval how often the writer looks again while it is open (Go duration; default
 *                     {@code freightline.gitwriter.pr.poll-interval})
 */
public record GitWaitForPrConfig(String repoURL, String provider, Boolean insecureSkipTLSVerify, Long prNumber,
                                 String pollInterval) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-wait-for-pr",
              "type": "object",
              "additionalProperties": false,
              "required": ["repoURL", "prNumber"],
              "properties": {
                "repoURL": {"type": "string", "minLength": 1},
                "provider": {"enum": ["azure", "bitbucket", "gitea", "github", "gitlab"]},
                "insecureSkipTLSVerify": {"type": "boolean"},
                "prNumber": {"type": "integer", "minimum": 1},
                "pollInterval": {"type": "string", "pattern": "^(?:\\\\d+(ns|us|µs|ms|s|m|h))+$"}
              }
            }
            """;
}
