package io.freightline.engine.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The auto-promotion guards, table-driven: each row is one situation and the verdict a user would see. */
class GuardsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # case                     |paused|auto |held |cand|target|failed|apprReq|approved|soaking|window|promote|reason                                   |wait
            all clear                  |false |true |false|f2  |f1    |false |false  |false   |false  |true  |true   |auto-promotion of the newest available freight|-
            auto off                   |false |false|false|f2  |f1    |false |false  |false   |false  |true  |false  |auto-promotion is off                    |-
            paused                     |true  |true |false|f2  |f1    |false |false  |false   |false  |true  |false  |stage is paused                          |-
            held after rollback        |false |true |true |f2  |f1    |false |false  |false   |false  |true  |false  |auto-promotion held after a manual rollback|-
            nothing available          |false |true |false|-   |f1    |false |false  |false   |false  |true  |false  |no freight available                     |-
            soaking, nothing else      |false |true |false|-   |f1    |false |false  |false   |true   |true  |false  |newer freight is soaking upstream        |soak
            soaking, current is newest |false |true |false|f1  |f1    |false |false  |false   |true   |true  |false  |newer freight is soaking upstream        |soak
            up to date                 |false |true |false|f1  |f1    |false |false  |false   |false  |true  |false  |up to date                               |-
            first freight              |false |true |false|f1  |-     |false |false  |false   |false  |true  |true   |auto-promotion of the newest available freight|-
            failed before              |false |true |false|f2  |f1    |true  |false  |false   |false  |true  |false  |promotion of this freight failed before; not retried automatically|-
            approval missing           |false |true |false|f2  |f1    |false |true   |false   |false  |true  |false  |freight not approved for this stage      |approval
            approved                   |false |true |false|f2  |f1    |false |true   |true    |false  |true  |true   |auto-promotion of the newest available freight|-
            window closed              |false |true |false|f2  |f1    |false |false  |false   |false  |false |false  |outside the stage's promotion windows    |window
            paused beats approval      |true  |true |false|f2  |f1    |false |true   |false   |false  |false |false  |stage is paused                          |-
            """)
    void verdicts(String name, boolean paused, boolean auto, boolean held, String cand, String target, boolean failed,
                  boolean approvalRequired, boolean approved, boolean soaking, boolean window, boolean promote,
                  String reason, String wait) {
        Guards.Verdict v = Guards.evaluate(new Guards.Input(paused, auto, held, cand, target, failed, approvalRequired,
                approved, soaking, window));
        assertEquals(promote, v.promote(), name);
        assertEquals(reason, v.reason(), name);
        assertEquals(wait, v.waitReason(), name);
    }
}
