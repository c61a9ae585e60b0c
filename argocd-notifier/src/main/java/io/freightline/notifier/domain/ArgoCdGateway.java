package io.freightline.notifier.domain;

import java.util.List;

/** The Argo CD API as the verification needs it. Every method throws {@link ArgoCdException}. */
public interface ArgoCdGateway {

    /** Whether a server of that name ({@code null} = default) is configured. */
    boolean configured(String server);

    /** Applications matching a label selector. */
    List<AppSnapshot> list(String server, String selector);

    /** An application; {@code refresh} is null, {@code normal} or {@code hard}. */
    AppSnapshot get(String server, AppRef app, String refresh);

    /** Requests a sync; returns once Argo CD has queued the operation. */
    AppSnapshot sync(String server, AppRef app, SyncSpec spec);

    /** An application as the API returns it (for the source updates of {@code argocd-update}). */
    com.fasterxml.jackson.databind.JsonNode application(String server, AppRef app);

    /** Applies a JSON merge patch to an application ({@code PATCH /api/v1/applications/{name}}, patchType merge). */
    void patch(String server, AppRef app, com.fasterxml.jackson.databind.JsonNode mergePatch);

    /** The app's sync windows and whether a manual sync may run now. */
    SyncWindows syncWindows(String server, AppRef app);

    /**
     * @param sourceIndex -1 for a single-source app, else the 0-based index in {@code spec.sources}
     */
    record SyncSpec(String revision, int sourceIndex, String promotionId) {
    }
}
