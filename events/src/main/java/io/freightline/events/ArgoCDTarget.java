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
 */
public record ArgoCDTarget(
        String server,
        List<App> apps,
        String labelSelector,
        Long timeoutSeconds,
        Boolean hardRefresh) {

    /**
     * @param sourceIndex for a multi-source application, the position of the source this repo feeds
     */
    public record App(String name, String namespace, String project, Integer sourceIndex) {
    }
}
