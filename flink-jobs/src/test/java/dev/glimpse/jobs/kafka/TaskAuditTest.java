package dev.glimpse.jobs.kafka;

import static dev.glimpse.jobs.kafka.OutputRecords.T0;
import static dev.glimpse.jobs.kafka.OutputRecords.deadLetter;
import static dev.glimpse.jobs.kafka.OutputRecords.result;
import static dev.glimpse.jobs.kafka.OutputRecords.skip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ReasonCode;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class TaskAuditTest {

    private static final long T0_MS = T0.toEpochMilli();

    @Test
    void eachTaskCountsItsResultsDeadLettersSkipsAndMissingEvents() {
        TaskAudit audit = new TaskAudit();
        for (String id : List.of("c1", "c2", "c3", "c4", "c5")) {
            audit.sent(id, AnalysisTask.CAPTION, T0_MS);
        }
        for (String id : List.of("o1", "o2", "o3")) {
            audit.sent(id, AnalysisTask.OCR, T0_MS);
        }
        audit.onResult(result("c1", AnalysisTask.CAPTION, 120), T0_MS + 5000);
        audit.onSkipped(skip("c2"), T0_MS + 10);
        audit.onDeadLetter(deadLetter("c3", ReasonCode.STALE_SKIPPED), T0_MS + 10);
        audit.onDeadLetter(deadLetter("c4", ReasonCode.TRUNCATED_IMAGE), T0_MS + 10);
        audit.onResult(result("o1", AnalysisTask.OCR, 0), T0_MS + 700); // no timings: received
        audit.onResult(result("o1", AnalysisTask.OCR, 900), T0_MS + 900); // duplicate: first counts
        audit.onDeadLetter(deadLetter("o2", ReasonCode.TRUNCATED_IMAGE), T0_MS);
        audit.onResult(result("never-sent", AnalysisTask.OCR, 5), T0_MS);
        audit.onDeadLetter(deadLetter(null, ReasonCode.MALFORMED_RECORD), T0_MS);

        List<TaskAudit.TaskReport> r = audit.report();

        assertThat(r)
                .extracting(TaskAudit.TaskReport::line)
                .containsExactly(
                        "Task CAPTION: sent=5 results=1 dead=1 skipped=2 missing=1 p50=120ms"
                                + " p99=120ms",
                        "Task OCR: sent=3 results=1 dead=1 skipped=0 missing=1 p50=700ms p99=700ms",
                        "Task MODERATION: sent=0 results=0 dead=0 skipped=0 missing=0 p50=- p99=-");
        assertThat(audit.missing()).isEqualTo(2);
    }

    @Test
    void aRefusedSendLeavesSentAndMissingAndALateOutputForItIsIgnored() {
        TaskAudit audit = new TaskAudit();
        audit.sent("o1", AnalysisTask.OCR, T0_MS);
        audit.sent("o2", AnalysisTask.OCR, T0_MS);
        audit.sent("o3", AnalysisTask.OCR, T0_MS);

        audit.refused("o2");
        audit.refused("o2"); // answered twice: counted once
        audit.refused("never-handed");
        audit.onResult(result("o1", AnalysisTask.OCR, 40), T0_MS);
        audit.onResult(result("o2", AnalysisTask.OCR, 40), T0_MS);

        assertThat(audit.report().get(AnalysisTask.OCR.ordinal()).line())
                .isEqualTo(
                        "Task OCR: sent=2 results=1 dead=0 skipped=0 missing=1 p50=40ms p99=40ms");
        assertThat(audit.missing()).isEqualTo(1);
    }

    @Test
    void percentilesAreNearestRankOverTheResults() {
        TaskAudit audit = new TaskAudit();
        // 200 moderation results with latencies 1..200 ms, sent in reverse order
        for (long ms = 200; ms >= 1; ms--) {
            audit.sent("m" + ms, AnalysisTask.MODERATION, T0_MS);
            audit.onResult(result("m" + ms, AnalysisTask.MODERATION, ms), T0_MS);
        }

        TaskAudit.TaskReport moderation = audit.report().get(AnalysisTask.MODERATION.ordinal());

        assertThat(moderation.results()).isEqualTo(200);
        assertThat(moderation.p50Ms()).isEqualTo(100);
        assertThat(moderation.p99Ms()).isEqualTo(198);
        assertThat(TaskAudit.percentile(LongStream.rangeClosed(1, 10).toArray(), 99)).isEqualTo(10);
        assertThat(TaskAudit.percentile(new long[] {7}, 50)).isEqualTo(7);
        assertThat(TaskAudit.percentile(new long[0], 99)).isZero();
    }

    @Test
    void latencyRoundsTheResultsEndToEndTiming() {
        TaskAudit audit = new TaskAudit();
        audit.sent("o", AnalysisTask.OCR, T0_MS);
        AnalysisResult r = result("o", AnalysisTask.OCR, 0);
        r.getTimings().setEndToEndMs(1234.6);
        audit.onResult(r, T0_MS + 99_000);

        assertThat(audit.report().get(AnalysisTask.OCR.ordinal()).p50Ms()).isEqualTo(1235);
    }
}
