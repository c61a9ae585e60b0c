package io.freightline.notifier.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kargo's kargo.akuity.io/authorized-stage rule of argocd-update. */
class AuthorizedStageTest {
    private static final AppRef WEB = new AppRef("web", "argocd", null, null);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "shop:dev",
            "shop:qa,shop:dev",
            " shop : dev ,",
    })
    void permitsTheStageItNames(String value) {
        assertDoesNotThrow(() -> AuthorizedStage.check(value, WEB, "shop", "dev"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "shop:qa        | its annotation kargo.akuity.io/authorized-stage is \"shop:qa\"; add \"shop:dev\" to it",
            "other:dev      | its annotation kargo.akuity.io/authorized-stage is \"other:dev\"",
            "shop           | \"shop\" is not <project>:<stage>",
            "shop:*         | glob patterns are not supported",
            "','            | no <project>:<stage> entry",
    })
    void refusesWithWhatToFix(String value, String expected) {
        AuthorizedStage.Refused e = assertThrows(AuthorizedStage.Refused.class,
                () -> AuthorizedStage.check(value, WEB, "shop", "dev"));
        assertTrue(e.getMessage().startsWith("Argo CD application argocd/web does not permit updates by stage shop:dev: "),
                e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void noAnnotationNamesTheAnnotationToAdd() {
        AuthorizedStage.Refused e = assertThrows(AuthorizedStage.Refused.class,
                () -> AuthorizedStage.check(null, WEB, "shop", "dev"));
        assertEquals("Argo CD application argocd/web does not permit updates by stage shop:dev: it has no annotation "
                + "kargo.akuity.io/authorized-stage; annotate it kargo.akuity.io/authorized-stage: \"shop:dev\"", e.getMessage());
    }
}
