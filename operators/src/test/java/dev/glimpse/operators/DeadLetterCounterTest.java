package dev.glimpse.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ReasonCode;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterCounterTest {

    /** docs/metrics.md, without the reporter's {@code flink_} prefix. */
    private static final String METRIC =
            "taskmanager_job_task_operator_glimpse_pipeline_reason_dead_letters";

    private final MetricCapture metrics = new MetricCapture();
    private OneInputStreamOperatorTestHarness<DeadLetter, DeadLetter> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new StreamMap<>(new DeadLetterCounter()), metrics.environment());
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static DeadLetter deadLetter(String id, ReasonCode reason) {
        return DeadLetter.newBuilder()
                .setEventId(id)
                .setStage(FailureStage.DECODE)
                .setReason(reason)
                .setMessage("event " + id + ": " + reason)
                .setFailedAt(Instant.parse("2026-11-26T10:00:00Z"))
                .build();
    }

    private long count(ReasonCode reason) {
        return metrics.counter(METRIC + "{reason=" + reason.name().toLowerCase(Locale.ROOT) + "}")
                .getCount();
    }

    @Test
    void deadLettersPassThroughUnchangedInOrder() throws Exception {
        DeadLetter a = deadLetter("a", ReasonCode.CORRUPT_IMAGE);
        DeadLetter b = deadLetter("b", ReasonCode.TIMEOUT);

        harness.processElement(a, 1L);
        harness.processElement(b, 2L);

        assertThat(harness.extractOutputValues()).containsExactly(a, b);
    }

    @Test
    void eachDeadLetterIncrementsTheCounterOfItsReasonOnly() throws Exception {
        harness.processElement(deadLetter("a", ReasonCode.CORRUPT_IMAGE), 0L);
        harness.processElement(deadLetter("b", ReasonCode.CORRUPT_IMAGE), 0L);
        harness.processElement(deadLetter("c", ReasonCode.MALFORMED_RECORD), 0L);

        assertThat(count(ReasonCode.CORRUPT_IMAGE)).isEqualTo(2);
        assertThat(count(ReasonCode.MALFORMED_RECORD)).isEqualTo(1);
        assertThat(
                        Arrays.stream(ReasonCode.values())
                                .filter(
                                        r ->
                                                r != ReasonCode.CORRUPT_IMAGE
                                                        && r != ReasonCode.MALFORMED_RECORD)
                                .mapToLong(this::count)
                                .sum())
                .isZero();
    }

    @Test
    void everyReasonHasItsCounterFromTheStartUnderTheDocumentedName() {
        // every code of docs/metrics.md, in lower case, registered at 0 before any dead letter
        for (String reason :
                new String[] {
                    "malformed_record", "unknown_task", "missing_image", "payload_too_large",
                    "fetch_failed", "unsupported_format", "corrupt_image", "truncated_image",
                    "image_too_large", "too_many_pixels", "image_too_small", "inference_failed",
                    "timeout", "overloaded", "unknown"
                }) {
            assertThat(metrics.counter(METRIC + "{reason=" + reason + "}").getCount())
                    .as(reason)
                    .isZero();
        }
        assertThat(metrics.all().keySet().stream().filter(k -> k.startsWith(METRIC)))
                .hasSize(ReasonCode.values().length);
    }
}
