package io.freightline.watcher.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemVerConstraintTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            ">=0.1.0 ; 1.0.0 ; true",
            ">=0.1.0 ; 0.0.9 ; false",
            ">=0.1.0 ; v0.2 ; true",
            "^1.2.0 ; 1.9.9 ; true",
            "^1.2.0 ; 2.0.0 ; false",
            "^0.2.3 ; 0.2.9 ; true",
            "^0.2.3 ; 0.3.0 ; false",
            "~1.2.3 ; 1.2.9 ; true",
            "~1.2.3 ; 1.3.0 ; false",
            "1.2.x ; 1.2.7 ; true",
            "1.2.x ; 1.3.0 ; false",
            "* ; 9.9.9 ; true",
            "'' ; 0.0.1 ; true",
            ">=1.0.0 <2.0.0 ; 1.5.0 ; true",
            ">=1.0.0, <2.0.0 ; 2.0.0 ; false",
            "1.0 - 1.4 ; 1.4.9 ; true",
            "1.0 - 1.4 ; 1.5.0 ; false",
            "<1.0.0 || >=3.0.0 ; 3.1.0 ; true",
            "<1.0.0 || >=3.0.0 ; 2.0.0 ; false",
            "!=1.2.3 ; 1.2.3 ; false",
            ">=1.0.0 ; 1.1.0-rc.1 ; false",
            ">=1.1.0-rc.0 ; 1.1.0-rc.1 ; true",
            ">1.2 ; 1.2.5 ; false",
            ">1.2 ; 1.3.0 ; true",
    })
    void matches(String constraint, String version, boolean expected) {
        SemVerConstraint c = SemVerConstraint.parse(constraint);
        assertEquals(expected, c.matches(SemVer.parse(version).orElseThrow()), constraint + " vs " + version);
    }

    @ParameterizedTest
    @CsvSource({"1.0.0-alpha,1.0.0-alpha.1", "1.0.0-alpha.1,1.0.0-alpha.beta", "1.0.0-beta.2,1.0.0-beta.11", "1.0.0-rc.1,1.0.0", "1.9.0,1.10.0"})
    void precedenceFollowsTheSpec(String lower, String higher) {
        assertTrue(SemVer.parse(lower).orElseThrow().compareTo(SemVer.parse(higher).orElseThrow()) < 0);
    }

    @org.junit.jupiter.api.Test
    void strictRejectsPartialVersionsAndBadConstraintsAreRefused() {
        assertTrue(SemVer.parse("1.2", true).isEmpty());
        assertTrue(SemVer.parse("v1.2.3", true).isEmpty());
        assertTrue(SemVer.parse("latest").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> SemVerConstraint.parse(">=banana"));
    }
}
