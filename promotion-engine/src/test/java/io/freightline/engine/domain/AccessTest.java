package io.freightline.engine.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessTest {
    private static final Access ACCESS = Access.parse(List.of(
            "# comment", "viewer=v-tok", "promoter=p-tok", "admin=a-tok", "promoter@team-a=pa-tok", "admin@team-b=ab-tok", ""));

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(nullValues = "-", textBlock = """
            -,       demo,   viewer,   UNAUTHENTICATED
            nope,    demo,   viewer,   UNAUTHENTICATED
            v-tok,   demo,   viewer,   ALLOW
            v-tok,   demo,   promoter, FORBIDDEN
            p-tok,   demo,   promoter, ALLOW
            p-tok,   demo,   admin,    FORBIDDEN
            a-tok,   demo,   admin,    ALLOW
            pa-tok,  team-a, promoter, ALLOW
            pa-tok,  team-a, viewer,   ALLOW
            pa-tok,  demo,   viewer,   FORBIDDEN
            ab-tok,  team-b, admin,    ALLOW
            ab-tok,  team-a, viewer,   FORBIDDEN
            """)
    void decisions(String token, String project, Access.Role role, Access.Decision expected) {
        assertEquals(expected, ACCESS.decide(token, project, role));
    }

    @Test
    void subjectNeverContainsTheToken() {
        Access.Caller c = ACCESS.caller("pa-tok");
        assertTrue(c.subject().startsWith("promoter@team-a#"));
        assertFalse(c.subject().contains("pa-tok"));
    }

    @Test
    void badLinesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Access.parse(List.of("root=x")));
        assertThrows(IllegalArgumentException.class, () -> Access.parse(List.of("admin=")));
    }
}
