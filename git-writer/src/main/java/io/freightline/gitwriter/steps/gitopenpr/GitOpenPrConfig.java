package io.freightline.gitwriter.steps.gitopenpr;

import java.util.List;

/**
 * Config of {@code git-open-pr} (Kargo's shape).
 *
 * @param sourceBranch       the branch with the changes, already on the remote (usually a git-push's {@code branch})
 * @param targetBranch       the branch to merge into; it must exist
 * @param createTargetBranch deprecated in Kargo and a no-op there: accepted, changes nothing
 * @param provider           github, gitlab or gitea; inferred from the host name when absent (azure and bitbucket
 *                           are accepted by the schema and refused when the step runs)
 */
public record GitOpenPrConfig(String repoURL, String provider, Boolean insecureSkipTLSVerify, String sourceBranch,
                              String targetBranch, Boolean createTargetBranch, String title, String description,
                              List<String> labels) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-open-pr",
              "type": "object",
              "additionalProperties": false,
              "required": ["repoURL", "targetBranch", "sourceBranch"],
              "properties": {
                "repoURL": {"type": "string", "minLength": 1},
                "provider": {"enum": ["azure", "bitbucket", "gitea", "github", "gitlab"]},
                "insecureSkipTLSVerify": {"type": "boolean"},
                "sourceBranch": {"type": "string", "minLength": 1},
                "targetBranch": {"type": "string", "minLength": 1},
                "createTargetBranch": {"type": "boolean"},
                "title": {"type": "string", "minLength": 1},
                "description": {"type": "string", "minLength": 1},
                "labels": {"type": "array", "items": {"type": "string", "minLength": 1}}
              }
            }
            """;
}
