package io.freightline.gitwriter.domain;

import io.freightline.gitwriter.domain.yaml.YamlEdits;
import io.freightline.gitwriter.domain.yaml.YamlEdits.ImageEdit;
import io.freightline.testsupport.Contracts;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Byte-for-byte preservation on real files from shared/contracts/gitops-samples: the expected text is the original
 * with exactly the one value replaced (or the one entry added), nothing else.
 */
class YamlEditsTest {
    static final String SAMPLES = "gitops-samples/";

    static String sample(String path) {
        return Contracts.read(SAMPLES + path);
    }

    static String replaceOnce(String text, String from, String to) {
        int i = text.indexOf(from);
        assertThat(i).as("fixture contains %s", from).isGreaterThanOrEqualTo(0);
        assertThat(text.indexOf(from, i + 1)).as("fixture contains %s once", from).isLessThan(0);
        return text.substring(0, i) + to + text.substring(i + from.length());
    }

    @Test
    void kustomizeImagesTransformerWithoutFinalNewline() throws Exception {
        String original = sample("kustomize/examples/transformerconfigs/images/kustomization.yaml");
        assertThat(original).doesNotEndWith("\n");
        String tagged = YamlEdits.setImage("k.yaml", original, new ImageEdit("my-app", null, "v2.0.0", null));
        assertThat(tagged).isEqualTo(replaceOnce(original, "newTag: MYNEWTAG-1", "newTag: v2.0.0"));

        String digest = YamlEdits.setImage("k.yaml", original, new ImageEdit("docker", "my-docker3", null, "sha256:abcdef"));
        assertThat(digest).isEqualTo(replaceOnce(replaceOnce(original, "digest: sha256:25a0d4", "digest: sha256:abcdef"),
                "newName: my-docker2", "newName: my-docker3"));

        // a missing field goes after the entry's last key, indented like it; the file still has no final newline
        String added = YamlEdits.setImage("k.yaml", original, new ImageEdit("docker", null, "1.2", null));
        assertThat(added).isEqualTo(original + "\n  newTag: \"1.2\"");

        String newEntry = YamlEdits.setImage("k.yaml", original, new ImageEdit("127.0.0.1:5000/demo/app", null, "1.0.0", null));
        assertThat(newEntry).isEqualTo(original + "\n- name: 127.0.0.1:5000/demo/app\n  newTag: 1.0.0");
    }

    @Test
    void kustomizationWithoutImagesGetsTheList() throws Exception {
        String original = sample("kustomize/examples/multibases/dev/kustomization.yaml");
        String out = YamlEdits.setImage("k.yaml", original, new ImageEdit("ghcr.io/akuity/guestbook", null, "v0.0.2", null));
        assertThat(out).isEqualTo(original + "images:\n- name: ghcr.io/akuity/guestbook\n  newTag: v0.0.2\n");
    }

    @Test
    void kustomizationWithIndentedListsAndCrlfKeepsItsStyle() throws Exception {
        String original = "resources:\r\n  - ../base # the base\r\nimages:\r\n  - name: app\r\n    newTag: '1.0' # pinned\r\n";
        String out = YamlEdits.setImage("k.yaml", original, new ImageEdit("app", null, "1.1", null));
        assertThat(out).isEqualTo(original.replace("'1.0'", "'1.1'"));
        String added = YamlEdits.setImage("k.yaml", original, new ImageEdit("sidecar", null, "2", null));
        assertThat(added).isEqualTo(original + "  - name: sidecar\r\n    newTag: \"2\"\r\n");
        String list = YamlEdits.setImage("k.yaml", "resources:\r\n  - ../base\r\n", new ImageEdit("a", null, "b", null));
        assertThat(list).isEqualTo("resources:\r\n  - ../base\r\nimages:\r\n  - name: a\r\n    newTag: b\r\n");
    }

    @Test
    void helmValuesWithDocCommentsAndLargeFiles() throws Exception {
        String nginx = sample("bitnami-charts/bitnami/nginx/values.yaml");
        String out = YamlEdits.set("values.yaml", nginx, 0, List.of("image", "tag"), "1.29.2-debian-12-r0");
        assertThat(out).isEqualTo(replaceOnce(nginx, "tag: 1.29.1-debian-12-r0", "tag: 1.29.2-debian-12-r0"));
        String digest = YamlEdits.set("values.yaml", nginx, 0, List.of("image", "digest"), "sha256:0123");
        assertThat(digest).isEqualTo(nginx.replaceFirst("(?m)^(  digest: )\"\"", "$1\"sha256:0123\""));

        String argo = sample("argo-helm/charts/argo-cd/values.yaml");
        String argoOut = YamlEdits.set("values.yaml", argo, 0, List.of("global", "image", "tag"), "v3.1.0");
        assertThat(argoOut.length()).isEqualTo(argo.length() + "\"v3.1.0\"".length() - "\"\"".length());
        assertThat(argoOut).isEqualTo(argo.replaceFirst("(?m)^(    tag: )\"\"", "$1\"v3.1.0\""));
    }

    @Test
    void integerTagStaysPlainAndAnchorsStay() throws Exception {
        String echo = sample("bjw-s-home-ops/kubernetes/apps/network/echo-server/app/helmrelease.yaml");
        List<String> tag = List.of("spec", "values", "controllers", "echo-server", "containers", "app", "image", "tag");
        assertThat(YamlEdits.set("h.yaml", echo, 0, tag, "42")).isEqualTo(replaceOnce(echo, "tag: 41", "tag: 42"));
        assertThat(YamlEdits.set("h.yaml", echo, 0, tag, "v42")).isEqualTo(replaceOnce(echo, "tag: 41", "tag: v42"));
        // the anchored value is rewritten, its anchor kept
        List<String> port = List.of("spec", "values", "controllers", "echo-server", "containers", "app", "env", "HTTP_PORT");
        assertThat(YamlEdits.set("h.yaml", echo, 0, port, 9090)).isEqualTo(replaceOnce(echo, "&port 8080", "&port 9090"));
        // an alias is refused: changing it would need the anchor
        assertThatThrownBy(() -> YamlEdits.set("h.yaml", echo, 0, List.of("spec", "values", "service", "app", "ports", "http", "port"), 1))
                .isInstanceOf(StepException.class).hasMessageContaining("alias");
    }

    @Test
    void quotedTagWithDigestKeepsItsQuotes() throws Exception {
        String mosquitto = sample("tyriis-home-ops/kubernetes/main/apps/home-automation/mosquitto/app/helm-release.yaml");
        List<String> tag = List.of("spec", "values", "controllers", "mosquitto", "containers", "app", "image", "tag");
        String out = YamlEdits.set("h.yaml", mosquitto, 0, tag, "2.0.23@sha256:ffff");
        assertThat(out).isEqualTo(replaceOnce(mosquitto,
                "\"2.0.22@sha256:212f89e1eaeb2c322d6441b64396e3346026674db8fa9c27beac293405c32b3c\"", "\"2.0.23@sha256:ffff\""));
    }

    @Test
    void koreanCommentsAndListIndexes() throws Exception {
        String deployment = sample("flux-image-automation-controller/internal/update/testdata/replace/commented/deployment.yaml");
        String out = YamlEdits.set("d.yaml", deployment, 0, List.of("spec", "template", "spec", "containers", "0", "image"), "used:v2.0.0");
        assertThat(out).isEqualTo(replaceOnce(deployment, "image: used:v1.0.0", "image: used:v2.0.0"));
    }

    @Test
    void codePointsBeyondTheBmpBeforeTheEdit() throws Exception {
        String text = "# 🚀🚀 rocket science\nname: \"🚀\" # 😀\nimage:\n  tag: 1.0.0 # 🐳 pinned\n";
        String out = YamlEdits.set("v.yaml", text, 0, List.of("image", "tag"), "1.1.0");
        assertThat(out).isEqualTo(text.replace("tag: 1.0.0", "tag: 1.1.0"));
        String added = YamlEdits.set("v.yaml", text, 0, List.of("image", "pullPolicy"), "Always");
        assertThat(added).isEqualTo(text + "  pullPolicy: Always\n");
    }

    @Test
    void missingKeysAreCreatedIndentedLikeTheirSiblings() throws Exception {
        String values = "replicaCount: 1\n\nimage:\n    repository: nginx   # the repo\n    tag: stable\n\n# service settings\nservice:\n    type: ClusterIP\npodAnnotations: {}\nextra:\n";
        assertThat(YamlEdits.set("v.yaml", values, 0, List.of("image", "digest"), "sha256:1"))
                .isEqualTo(values.replace("    tag: stable\n", "    tag: stable\n    digest: sha256:1\n"));
        assertThat(YamlEdits.set("v.yaml", values, 0, List.of("resources", "limits", "cpu"), "100m"))
                .isEqualTo(values + "resources:\n    limits:\n        cpu: 100m\n");
        assertThat(YamlEdits.set("v.yaml", values, 0, List.of("podAnnotations", "a"), "b"))
                .isEqualTo(values.replace("podAnnotations: {}", "podAnnotations: {a: b}"));
        assertThat(YamlEdits.set("v.yaml", values, 0, List.of("extra", "k"), true))
                .isEqualTo(values.replace("extra:\n", "extra:\n    k: true\n"));
    }

    @Test
    void helmChartDependencyVersions() throws Exception {
        String argo = sample("argo-helm/charts/argo-cd/Chart.yaml");
        String out = YamlEdits.setDependencyVersion("Chart.yaml", argo, "redis-ha", "https://dandydeveloper.github.io/charts", "4.39.0");
        assertThat(out).isEqualTo(replaceOnce(argo, "version: 4.38.0", "version: 4.39.0"));

        String wp = sample("bitnami-charts/bitnami/wordpress/Chart.yaml");
        String wpOut = YamlEdits.setDependencyVersion("Chart.yaml", wp, "mariadb", null, "23.0.1");
        assertThat(wpOut).isEqualTo(replaceOnce(wp, "version: 22.x.x", "version: 23.0.1"));
        assertThatThrownBy(() -> YamlEdits.setDependencyVersion("Chart.yaml", wp, "postgresql", null, "1.0.0"))
                .isInstanceOf(StepException.class).hasMessageContaining("no dependency 'postgresql'");
    }

    @Test
    void everyKustomizationSampleTakesATagWithoutOtherChanges() throws Exception {
        // each sample file with an images list: exactly one value changes
        for (String f : List.of("kustomize/examples/transformerconfigs/images/kustomization.yaml",
                "flux-image-automation-controller/internal/update/testdata/setters/original/kustomization.yml")) {
            String original = sample(f);
            var y = io.freightline.gitwriter.domain.yaml.YamlText.parse(f, original);
            assertThat(y.documents()).isNotEmpty();
            String name = original.replaceAll("(?s).*?- name: ([^\\s]+).*", "$1");
            String out = YamlEdits.setImage(f, original, new ImageEdit(name, null, "zz-test", null));
            assertThat(out).contains("zz-test");
            assertThat(out.replace("zz-test", "")).hasSizeLessThanOrEqualTo(original.length());
        }
    }
}
