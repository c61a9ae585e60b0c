package io.freightline.gitwriter.steps.gitpush;

/**
 * Config of {@code git-push} (Kargo's shape).
 *
 * @param targetBranch         the remote branch; default: the checked-out branch
 * @param generateTargetBranch push to {@code freightline/promotion/<promotion id>}
 * @param maxAttempts          accepted; attempts are the writer's {@code push.max-attempts}
 * @param provider             the Git host kind for {@code commitURL}: github, gitlab, gitea, bitbucket, azure
 */
public record GitPushConfig(String path, String targetBranch, Integer maxAttempts, Boolean generateTargetBranch,
                            String tag, Boolean force, String provider) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-push",
              "type": "object",
              "required": ["path"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "targetBranch": {"type": ["string", "null"]},
                "maxAttempts": {"type": ["integer", "null"], "minimum": 1},
                "generateTargetBranch": {"type": ["boolean", "null"]},
                "tag": {"type": ["string", "null"]},
                "force": {"type": ["boolean", "null"]},
                "provider": {"enum": ["azure", "bitbucket", "gitea", "github", "gitlab", null]}
              }
            }
            """;
}
