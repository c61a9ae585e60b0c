package io.freightline.notifier.domain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonConditionTest {
    private static final String BODY = """
            {"status":"UP","checks":[{"name":"db","latencyMs":12}],"app.version":"1.4.2","ready":true,"ratio":"0.5"}
            """;

    private static boolean holds(String condition) {
        return JsonCondition.parse(condition).test(BODY).ok();
    }

    @Test
    void comparisons() {
        assertTrue(holds("$.status == \"UP\""));
        assertTrue(holds("$.status == 'UP'"));
        assertFalse(holds("$.status != \"UP\""));
        assertTrue(holds("$.checks[0].latencyMs < 250"));
        assertFalse(holds("$.checks[0].latencyMs > 250"));
        assertTrue(holds("$.checks[0].name == \"db\""));
        assertTrue(holds("$['app.version'] =~ \"^1\\\\.4\""));
        assertTrue(holds("$.ratio <= 0.5"));
        assertTrue(holds("$.ready"));
        assertTrue(holds("$.ready == true"));
    }

    @Test
    void missingFieldsAndNonJsonAreFalse() {
        assertFalse(holds("$.nope"));
        assertFalse(holds("$.checks[3].latencyMs < 5"));
        assertFalse(JsonCondition.parse("$.status == \"UP\"").test("<html>").ok());
    }

    @Test
    void badConditionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> JsonCondition.parse("status == 1"));
        assertThrows(IllegalArgumentException.class, () -> JsonCondition.parse("$.a == "));
        assertThrows(IllegalArgumentException.class, () -> JsonCondition.parse("$.a[x] == 1"));
        assertThrows(IllegalArgumentException.class, () -> JsonCondition.parse("$.a =~ 1"));
    }
}
