package dev.glimpse.jobs.kafka;

import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.Timings;
import java.time.Instant;
import java.util.Map;

/**
 * Records as the audits receive them from the output topics (analyses, frame-gate skip records,
 * dead letters), all for events made at {@link #T0}.
 */
final class OutputRecords {

    static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    private OutputRecords() {}

    /** An analysis of event {@code id} for {@code task}; {@code endToEndMs} 0 = not measured. */
    static AnalysisResult result(String id, AnalysisTask task, double endToEndMs) {
        AnalysisResult r = skip(id, task);
        r.setSkipped(null);
        r.setTimings(new Timings(0.0, 0.0, 0.0, 0.0, endToEndMs));
        return r;
    }

    /** The frame gate's skip record of caption event {@code id} (a duplicate frame). */
    static AnalysisResult skip(String id) {
        return skip(id, AnalysisTask.CAPTION);
    }

    /** A dead letter of event {@code id} at the decode stage. */
    static DeadLetter deadLetter(String id, ReasonCode reason) {
        return DeadLetter.newBuilder()
                .setEventId(id)
                .setStage(FailureStage.DECODE)
                .setReason(reason)
                .setMessage("x")
                .setFailedAt(T0)
                .build();
    }

    private static AnalysisResult skip(String id, AnalysisTask task) {
        return SkipRecords.of(event(id), task, SkipRecords.DUPLICATE);
    }

    private static ImageEvent event(String id) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId("cam")
                .setEventTime(T0)
                .setTask("CAPTION")
                .setImage(new ImageReference("file:///x.png"))
                .setAttributes(Map.of())
                .build();
    }
}
