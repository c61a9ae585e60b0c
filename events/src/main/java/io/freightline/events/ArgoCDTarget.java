package io.freightline.events;

import java.util.List;

/**
 * The Argo CD applications a stage maps to. Null in a promotion means the stage has no Argo CD: it is verified as
 * soon as the commit is pushed.
 *
 * @param server         the configured Argo CD server's name ({@code default} when null)
 * @param apps           applications by name
 * @param labelSelector  or applications by label selector, resolved through the list API
 * @param timeoutSeconds how long to wait for Synced and Healthy
 * @param hardRefresh    ask for a hard refresh before the sync
 * @param step           the alias of the template's {@code argocd-update} step, for its step result (null: none)
 */
public record ArgoCDTarget(
        String server,
        List<App> apps,
        String labelSelector,
        Long timeoutSeconds,
        Boolean hardRefresh,
        String step) {

    public ArgoCDTarget(String server, List<App> apps, String labelSelector, Long timeoutSeconds, Boolean hardRefresh) {
        this(server, apps, labelSelector, timeoutSeconds, hardRefresh, null);
    }

    /**
     * @param sourceIndex for a multi-source application, the position of the source this repo feeds
     * @param sources     Kargo's {@code apps[].sources}: updates of the application's sources, or null
     */
    public record App(String name, String namespace, String project, Integer sourceIndex, List<SourceUpdate> sources) {
        public App(String name, String namespace, String project, Integer sourceIndex) {
            this(name, namespace, project, sourceIndex, null);
        }
    }

    /**
     * Kargo's {@code argocd-update} source update: the source whose {@code repoURL} (and {@code chart}) match exactly,
     * the revision it must be observably synced to, and what to change in it.
     *
     * @param desiredRevision      the revision the source must be synced at; may still be an expression over the
     *                             earlier steps' outputs ({@code ${{ outputs.commit.commit }}}), evaluated by the notifier
     * @param updateTargetRevision set the source's {@code targetRevision} to {@code desiredRevision}
     */
    public record SourceUpdate(String repoURL, String chart, String desiredRevision, Boolean updateTargetRevision,
                               Kustomize kustomize, Helm helm) {
    }

    /** Images to set in the source's {@code kustomize.images}. */
    public record Kustomize(List<KustomizeImage> images) {
    }

    /** One of {@code tag} or {@code digest}; {@code newName} replaces the image's name. */
    public record KustomizeImage(String repoURL, String tag, String digest, String newName) {
    }

    /** Parameters to set in the source's {@code helm.parameters}. */
    public record Helm(List<HelmImage> images) {
    }

    public record HelmImage(String key, String value) {
    }
}
