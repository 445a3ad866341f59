package dev.glimpse.jobs.demo.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakSummaryTest {

    private static final double MIB = 1024 * 1024;

    /**
     * 180 samples, one per 10 s from 0 to 1790 s. After the 300 s warm-up 150 remain: thirds of 50
     * (300-790 s, 800-1290 s, 1300-1790 s). RSS: 100 MiB during the warm-up (left out), then 1000,
     * 1020 and 1040 MiB by third; heap after GC a saw-tooth whose floor rises from 200 to 210 MiB;
     * p99 alternating 800 / 1200 ms; one checkpoint completed per 2 s.
     */
    static List<SoakRow> synthetic() {
        List<SoakRow> rows = new ArrayList<>();
        for (int t = 0; t < 1800; t += 10) {
            Map<SoakColumn, Double> v = new EnumMap<>(SoakColumn.class);
            v.put(SoakColumn.ELAPSED_S, (double) t);
            double rss = t < 300 ? 100 : t < 800 ? 1000 : t < 1300 ? 1020 : 1040;
            v.put(SoakColumn.RSS_BYTES, rss * MIB);
            // a saw-tooth from 200 to 290 MiB in the first and middle thirds, from 210 in the last
            v.put(
                    SoakColumn.HEAP_AFTER_GC_BYTES,
                    ((t < 1300 ? 200 : 210) + (t / 10) % 10 * 10) * MIB);
            v.put(SoakColumn.LATENCY_P99_MS, (t / 10) % 2 == 0 ? 800.0 : 1200.0);
            v.put(SoakColumn.CHECKPOINTS_COMPLETED, t / 2.0);
            v.put(SoakColumn.CHECKPOINTS_FAILED, 0.0);
            rows.add(SoakRow.of(v));
        }
        return rows;
    }

    @Test
    void figuresCoverTheWindowAfterTheWarmUpOnly() {
        SoakSummary s = SoakSummary.of(synthetic(), Duration.ofMinutes(5));

        assertThat(s.samples()).isEqualTo(150);
        assertThat(s.fromSeconds()).isEqualTo(300);
        assertThat(s.toSeconds()).isEqualTo(1790);
        assertThat(s.rssDriftPercent()).isCloseTo(4.0, within(1e-9));
        SoakSummary.Trend rss = s.trend(SoakColumn.RSS_BYTES);
        assertThat(rss.firstThird()).isEqualTo(1000 * MIB);
        assertThat(rss.lastThird()).isEqualTo(1040 * MIB);
        assertThat(s.heapFloorFirstThird()).isEqualTo(200 * MIB);
        assertThat(s.heapFloorLastThird()).isEqualTo(210 * MIB);
        assertThat(s.heapFloorChangePercent()).isCloseTo(5.0, within(1e-9));
        SoakSummary.Trend p99 = s.trend(SoakColumn.LATENCY_P99_MS);
        assertThat(p99.firstThird()).isEqualTo(1000);
        assertThat(p99.lastThird()).isEqualTo(1000);
        assertThat(p99.changePercent()).isEqualTo(0);
        assertThat(s.checkpointsCompleted()).isEqualTo(745);
        assertThat(s.checkpointsFailed()).isEqualTo(0);
        assertThat(s.trend(SoakColumn.KV_NATIVE_BYTES).changePercent()).isNaN();
    }

    @Test
    void linesAndMarkdownNameTheFiguresAndTheRssLimit() {
        SoakSummary s = SoakSummary.of(synthetic(), Duration.ofMinutes(5));

        assertThat(s.lines())
                .contains(
                        "Soak summary: window 300-1790 s (150 samples, after a 300 s warm-up);"
                                + " first third -> last third (change), fitted trend over the"
                                + " window:")
                .anySatisfy(
                        l ->
                                assertThat(l)
                                        .startsWith(
                                                "  rss_bytes                1000.0 MiB -> 1040.0"
                                                        + " MiB (+4.0 %), trend +"))
                .contains(
                        "  heap after GC floor (lowest sample) 200.0 MiB -> 210.0 MiB (+5.0 %)",
                        "  kv_native_bytes          n/a -> n/a (n/a), trend n/a",
                        "  RSS drift +4.0 % (limit +-5 %: within); checkpoints in the window: 745"
                                + " completed, 0 failed");
        assertThat(s.markdown())
                .startsWith("Window 300–1790 s (150 samples, after a 300 s warm-up).")
                .contains(
                        "| Column | First third (mean) | Last third (mean) | Change | Fitted trend |")
                // the alternation ends on 1200: a slope of 0.00533 ms/s, +0.8 % over 1490 s
                .contains("| `latency_p99_ms` | 1000.0 | 1000.0 | +0.0 % | +0.8 % |")
                .contains("\nheap after GC floor (lowest sample) 200.0 MiB -> 210.0 MiB (+5.0 %)\n")
                .endsWith("checkpoints in the window: 745 completed, 0 failed\n");
    }

    @Test
    void aWindowOfFewerThanThreeSamplesSaysSo() {
        SoakSummary s = SoakSummary.of(synthetic().subList(0, 32), Duration.ofMinutes(5));

        assertThat(s.complete()).isFalse();
        assertThat(s.lines())
                .containsExactly(
                        "Soak summary: 2 samples after the 300 s warm-up; at least 3 are needed"
                                + " (run longer or pass a shorter --metrics-warmup).");
        assertThat(s.rssDriftPercent()).isNaN();
    }
}
