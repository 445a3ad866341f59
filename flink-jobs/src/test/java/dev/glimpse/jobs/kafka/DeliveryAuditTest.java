package dev.glimpse.jobs.kafka;

import static dev.glimpse.jobs.kafka.OutputRecords.skip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ReasonCode;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeliveryAuditTest {

    @Test
    void everySentEventIsCountedOnceAsResultDeadLetterSkipMissingOrDuplicate() {
        DeliveryAudit audit = new DeliveryAudit();
        for (String id : new String[] {"a", "b", "c", "d", "e"}) {
            audit.sent(id);
        }
        audit.onResult(result("a"), 0);
        audit.onDeadLetter(deadLetter("b"), 0);
        audit.onSkipped(skip("c"), 0);
        audit.onResult(result("e"), 0);
        audit.onResult(result("e"), 0); // committed twice
        audit.onResult(result("not-sent"), 0);

        DeliveryAudit.Report r = audit.report(3);

        assertThat(r.line())
                .isEqualTo(
                        "Audit: sent=5 committed=2 dead=1 skipped=1 missing=1 duplicates=1"
                                + " restarts=3");
        assertThat(audit.missing()).isEqualTo(1);
    }

    @Test
    void anEventCountsAsSentOnlyOnceTheBrokerAcknowledgedIt() {
        DeliveryAudit audit = new DeliveryAudit();
        CompletableFuture<Object> pending = new CompletableFuture<>();
        audit.sent("acked", CompletableFuture.completedFuture(null));
        audit.sent("failed", CompletableFuture.failedFuture(new RuntimeException("broker down")));
        audit.sent("pending", pending);

        DeliveryAudit.Report r = audit.report(0);

        assertThat(r.sent()).isEqualTo(1);
        assertThat(r.unsent()).isEqualTo(1);
        pending.complete(null);
        assertThat(audit.report(0).sent()).isEqualTo(2);
    }

    @Test
    void aRecordForAnEventAlreadySettledStillCountsAsADuplicateOnceAndByItsKind() {
        DeliveryAudit audit = new DeliveryAudit();
        audit.handed("a");
        audit.onResult(result("a"), 0); // before the broker's answer: held until it comes
        assertThat(audit.report(0).committed()).isZero();
        audit.acknowledged("a", true);
        audit.sent("b");
        audit.onDeadLetter(deadLetter("b"), 0);

        audit.onResult(result("a"), 0); // a settled event again: a duplicate
        audit.onResult(result("a"), 0); // the same event stays one duplicate
        audit.onResult(result("b"), 0); // b now also has a result

        assertThat(audit.report(0).line())
                .isEqualTo(
                        "Audit: sent=2 committed=2 dead=1 skipped=0 missing=0 duplicates=2"
                                + " restarts=0");
    }

    @Test
    void aHandedEventTheBrokerRefusedIsUnsentNotMissing() {
        DeliveryAudit audit = new DeliveryAudit();
        audit.handed("refused");
        audit.handed("waiting");
        audit.acknowledged("refused", false);
        audit.acknowledged("refused", true); // a second answer changes nothing

        DeliveryAudit.Report r = audit.report(0);
        assertThat(r.unsent()).isEqualTo(1);
        assertThat(r.sent()).isZero();
        assertThat(r.missing()).isZero();
        audit.acknowledged("waiting", true);
        assertThat(audit.missing()).isEqualTo(1);
    }

    private static AnalysisResult result(String id) {
        return OutputRecords.result(id, AnalysisTask.CAPTION, 0);
    }

    private static DeadLetter deadLetter(String id) {
        return OutputRecords.deadLetter(id, ReasonCode.TRUNCATED_IMAGE);
    }
}
