package io.freightline.notifier.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What blocks a sync, read from {@code applicationApplicationSyncWindowsResponse} bodies shaped as Argo CD sends
 * them (swagger.json; empty lists left out, {@code manualSync} on every window).
 */
class SyncWindowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SyncWindows read(String body) throws Exception {
        return SyncWindows.from(JSON.readTree(body));
    }

    @Test
    void activeDenyWindowIsNamedByKindScheduleAndDuration() throws Exception {
        SyncWindows w = read("""
                {"activeWindows": [{"kind": "deny", "schedule": "0 22 * * *", "duration": "1h", "manualSync": false}],
                 "assignedWindows": [{"kind": "deny", "schedule": "0 22 * * *", "duration": "1h", "manualSync": false},
                                     {"kind": "allow", "schedule": "0 6 * * *", "duration": "12h", "manualSync": false}],
                 "canSync": false}""");
        assertFalse(w.canSync());
        assertEquals("blocked by sync window deny \"0 22 * * *\" for 1h (active now)", w.blockedBy());
    }

    @Test
    void allowWindowsNoneOpenBlockToo() throws Exception {
        SyncWindows w = read("""
                {"assignedWindows": [{"kind": "allow", "schedule": "0 6 * * 1-5", "duration": "10h", "manualSync": false},
                                     {"kind": "allow", "schedule": "0 10 * * 6", "duration": "2h", "manualSync": false}],
                 "canSync": false}""");
        assertEquals("blocked by sync window allow \"0 6 * * 1-5\" for 10h, allow \"0 10 * * 6\" for 2h"
                + " (allow window not open now)", w.blockedBy());
        assertTrue(w.active().isEmpty());
    }

    @Test
    void noWindowsMeansCanSyncAndManualSyncIsShown() throws Exception {
        SyncWindows none = read("{\"canSync\": true}");
        assertTrue(none.canSync());
        assertTrue(none.assigned().isEmpty());
        SyncWindows manual = read("""
                {"activeWindows": [{"kind": "deny", "schedule": "*/30 * * * *", "duration": "10m", "manualSync": true}],
                 "canSync": true}""");
        assertEquals("deny \"*/30 * * * *\" for 10m (manual sync allowed)", manual.active().get(0).describe());
    }
}
