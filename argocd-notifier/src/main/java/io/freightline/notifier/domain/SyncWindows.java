package io.freightline.notifier.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An application's sync windows as {@code GET /api/v1/applications/{name}/syncwindows} returns them
 * ({@code applicationApplicationSyncWindowsResponse}). {@code canSync} is Argo CD's own verdict for a manual sync,
 * the kind we request, so it decides; the windows only explain it.
 *
 * @param active   the windows open now
 * @param assigned every window of the app's project that matches the app
 */
public record SyncWindows(boolean canSync, List<Window> active, List<Window> assigned) {

    /** {@code applicationApplicationSyncWindow}. */
    public record Window(String kind, String schedule, String duration, boolean manualSync) {

        /** {@code deny "0 22 * * *" for 1h}, plus whether it lets manual syncs through. */
        public String describe() {
            return kind + " \"" + schedule + "\" for " + duration + (manualSync ? " (manual sync allowed)" : "");
        }
    }

    /** Reads the response; absent lists (Argo CD omits empty ones) are empty, an absent canSync is false. */
    public static SyncWindows from(JsonNode body) {
        return new SyncWindows(body.path("canSync").asBoolean(false), windows(body.path("activeWindows")),
                windows(body.path("assignedWindows")));
    }

    /**
     * Why a manual sync is refused, the way Argo CD decides it ({@code SyncWindows.CanSync(true)}): an active deny
     * window, or else allow windows none of which is open now. Names each window by kind, schedule and duration.
     */
    public String blockedBy() {
        List<Window> deny = active.stream().filter(w -> "deny".equals(w.kind())).toList();
        if (!deny.isEmpty()) {
            return "blocked by sync window " + join(deny) + " (active now)";
        }
        List<Window> closedAllows = assigned.stream().filter(w -> "allow".equals(w.kind()) && !active.contains(w))
                .toList();
        if (!closedAllows.isEmpty()) {
            return "blocked by sync window " + join(closedAllows) + " (allow window not open now)";
        }
        return "blocked by a sync window (Argo CD reports canSync false but names no window)";
    }

    private static String join(List<Window> windows) {
        return windows.stream().map(Window::describe).collect(Collectors.joining(", "));
    }

    private static List<Window> windows(JsonNode list) {
        List<Window> out = new ArrayList<>();
        list.forEach(w -> out.add(new Window(w.path("kind").asText(""), w.path("schedule").asText(""),
                w.path("duration").asText(""), w.path("manualSync").asBoolean(false))));
        return List.copyOf(out);
    }
}
