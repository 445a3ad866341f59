package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ReasonCode;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeliveryAuditTest {

    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

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

    private static AnalysisResult result(String id) {
        AnalysisResult skip = skip(id);
        skip.setSkipped(null);
        return skip;
    }

    private static AnalysisResult skip(String id) {
        return SkipRecords.of(event(id), AnalysisTask.CAPTION, SkipRecords.DUPLICATE);
    }

    private static ImageEvent event(String id) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId("cam")
                .setEventTime(T0)
                .setTask("CAPTION")
                .setImage(new dev.glimpse.schemas.ImageReference("file:///x.png"))
                .setAttributes(java.util.Map.of())
                .build();
    }

    private static DeadLetter deadLetter(String id) {
        return DeadLetter.newBuilder()
                .setEventId(id)
                .setStage(FailureStage.DECODE)
                .setReason(ReasonCode.TRUNCATED_IMAGE)
                .setMessage("cut off")
                .setFailedAt(T0)
                .build();
    }
}
