package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.MetricCapture;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenCounts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutcomeRouterTest {

    /** docs/metrics.md, without the reporter's {@code flink_} prefix. */
    private static final String LATENCY =
            "taskmanager_job_task_operator_glimpse_pipeline_end_to_end_latency_ms";

    private final MetricCapture metrics = new MetricCapture();
    private OneInputStreamOperatorTestHarness<AnalysisOutcome, AnalysisResult> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new OutcomeRouter()), metrics.environment());
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static AnalysisResult result(String id, double endToEndMs) {
        return AnalysisResult.newBuilder()
                .setEventId(id)
                .setSourceId("cam-1")
                .setEventTime(Instant.parse("2026-11-26T10:00:00Z"))
                .setTask(AnalysisTask.CAPTION)
                .setOutput(new Caption("a red box", null))
                .setModel(new ModelInfo("glimpse-tiny", "0.1.0-alpha.1"))
                .setTokens(new TokenCounts(100, 16, 0, 3))
                .setTimings(new Timings(1.0, 2.0, 3.0, 4.0, endToEndMs))
                .setAttributes(Map.of())
                .build();
    }

    private static DeadLetter failed(String id, ReasonCode reason) {
        return DeadLetter.newBuilder()
                .setEventId(id)
                .setStage(FailureStage.INFERENCE)
                .setReason(reason)
                .setMessage("event " + id + ": " + reason)
                .setFailedAt(Instant.parse("2026-11-26T10:00:01Z"))
                .build();
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(DeadLetters.OUTPUT);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void resultsGoToTheMainOutputAndFailuresToTheDeadLetterSideOutput() throws Exception {
        AnalysisResult r1 = result("r1", 120.0);
        AnalysisResult r2 = result("r2", 80.0);
        DeadLetter timeout = failed("t1", ReasonCode.TIMEOUT);
        DeadLetter overloaded = failed("o1", ReasonCode.OVERLOADED);

        harness.processElement(AnalysisOutcome.of(r1), 1L);
        harness.processElement(AnalysisOutcome.failed(timeout), 2L);
        harness.processElement(AnalysisOutcome.of(r2), 3L);
        harness.processElement(AnalysisOutcome.failed(overloaded), 4L);

        assertThat(harness.extractOutputValues()).containsExactly(r1, r2);
        assertThat(deadLetters()).containsExactly(timeout, overloaded);
    }

    @Test
    void onlyResultsAreRecordedInTheEndToEndLatencyHistogram() throws Exception {
        harness.processElement(AnalysisOutcome.of(result("r1", 120.9)), 0L);
        harness.processElement(AnalysisOutcome.of(result("r2", 80.0)), 0L);
        harness.processElement(AnalysisOutcome.failed(failed("t1", ReasonCode.TIMEOUT)), 0L);

        Histogram latency = metrics.histogram(LATENCY);
        assertThat(latency.getCount()).isEqualTo(2);
        // whole milliseconds, truncated
        assertThat(latency.getStatistics().getMax()).isEqualTo(120);
        assertThat(latency.getStatistics().getMin()).isEqualTo(80);
    }

    @Test
    void theHistogramIsRegisteredUnderTheDocumentedName() {
        // docs/metrics.md:
        // flink_taskmanager_job_task_operator_glimpse_pipeline_end_to_end_latency_ms
        assertThat(metrics.all()).containsKey(LATENCY);
        assertThat(metrics.histogram(LATENCY).getCount()).isZero();
    }
}
