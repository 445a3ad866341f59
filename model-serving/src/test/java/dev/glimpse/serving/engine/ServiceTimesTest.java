package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceTimesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final ServiceTimes times = new ServiceTimes();

    @Test
    void theEstimateIsTheLongestRecentServiceTimeOfTheTaskAndZeroBeforeAny() {
        assertThat(times.expectedNanos(Task.CAPTION, 0)).isZero();
        times.record(Task.CAPTION, 300 * MS, 1_000 * MS);
        times.record(Task.CAPTION, 700 * MS, 2_000 * MS);
        times.record(Task.CAPTION, 200 * MS, 3_000 * MS);
        times.record(Task.OCR, 5_000 * MS, 3_000 * MS);

        assertThat(times.expectedNanos(Task.CAPTION, 3_000 * MS)).isEqualTo(700 * MS);
        assertThat(times.expectedNanos(Task.OCR, 3_000 * MS)).isEqualTo(5_000 * MS);
        assertThat(times.expectedNanos(Task.MODERATION, 3_000 * MS)).isZero();
    }

    @Test
    void onlyTheLastWindowOfAnswersCounts() {
        times.record(Task.CAPTION, 900 * MS, 0);
        for (int i = 1; i <= ServiceTimes.WINDOW; i++) {
            times.record(Task.CAPTION, 100 * MS, i * MS);
        }
        assertThat(times.expectedNanos(Task.CAPTION, 40 * MS)).isEqualTo(100 * MS);
    }

    @Test
    void samplesOlderThanTheMaximumAgeAreForgotten() {
        long maxAge = TimeUnit.SECONDS.toNanos(ServiceTimes.MAX_AGE_SECONDS);
        times.record(Task.CAPTION, 900 * MS, 0);
        times.record(Task.CAPTION, 100 * MS, 5_000 * MS);

        assertThat(times.expectedNanos(Task.CAPTION, maxAge)).isEqualTo(900 * MS);
        assertThat(times.expectedNanos(Task.CAPTION, maxAge + 1)).isEqualTo(100 * MS);
        assertThat(times.expectedNanos(Task.CAPTION, 5_000 * MS + maxAge + 1)).isZero();
    }

    @Test
    void anAnswerRecordedAtTheSameInstantChangesTheEstimateAtOnce() {
        times.record(Task.CAPTION, 100 * MS, 1_000 * MS);
        assertThat(times.expectedNanos(Task.CAPTION, 2_000 * MS)).isEqualTo(100 * MS);

        times.record(Task.CAPTION, 400 * MS, 2_000 * MS);

        assertThat(times.expectedNanos(Task.CAPTION, 2_000 * MS)).isEqualTo(400 * MS);
    }
}
