package io.freightline.gitwriter.steps.gitmergepr;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Config of {@code git-merge-pr} (Kargo's shape).
 *
 * @param mergeMethod  github: merge, rebase, squash; gitlab: merge, squash; gitea: merge, rebase, rebase-merge,
 *                     squash, fast-forward-only, manually-merged (default: merge; GitLab: the project's setting)
 * @param waitForMergeable Kargo's {@code wait}: when the pull request is not mergeable yet: wait (retry every poll interval) instead of failing
 * @param pollInterval how often to try again while waiting (Go duration)
 */
public record GitMergePrConfig(String repoURL, String provider, Boolean insecureSkipTLSVerify, Long prNumber,
                               String mergeMethod, @JsonProperty("wait") Boolean waitForMergeable,
                               String pollInterval) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-merge-pr",
              "type": "object",
              "additionalProperties": false,
              "required": ["repoURL", "prNumber"],
              "properties": {
                "repoURL": {"type": "string", "minLength": 1},
                "provider": {"enum": ["azure", "bitbucket", "gitea", "github", "gitlab"]},
                "insecureSkipTLSVerify": {"type": "boolean"},
                "prNumber": {"type": "integer", "minimum": 1},
                "mergeMethod": {"type": "string", "minLength": 1},
                "wait": {"type": "boolean"},
                "pollInterval": {"type": "string", "pattern": "^(?:\\\\d+(ns|us|µs|ms|s|m|h))+$"}
              }
            }
            """;
}
