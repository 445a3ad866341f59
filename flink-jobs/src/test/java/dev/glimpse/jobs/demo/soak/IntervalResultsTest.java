package dev.glimpse.jobs.demo.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisTask;
import org.junit.jupiter.api.Test;

class IntervalResultsTest {

    @Test
    void eachTasksLatenciesStayWithTheirTaskPastTheFirstGrowthAndADrainStartsAnew() {
        IntervalResults results = new IntervalResults();
        // 100 results: past the initial capacity of 64, so the arrays grow together
        for (int i = 0; i < 100; i++) {
            AnalysisTask task = i % 10 == 0 ? AnalysisTask.MODERATION : AnalysisTask.OCR;
            results.result(task, i, i + 1000);
        }
        results.deadLetter();

        IntervalResults.Interval in = results.drain();

        assertThat(in.total()).isEqualTo(100);
        assertThat(in.deadLetters()).isEqualTo(1);
        assertThat(in.endToEndMs(AnalysisTask.MODERATION))
                .containsExactly(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
        assertThat(in.endToEndMs(AnalysisTask.OCR)).hasSize(90).startsWith(1, 2, 3, 4).endsWith(99);
        assertThat(in.endToEndMs(AnalysisTask.CAPTION)).isEmpty();
        assertThat(SoakStatistics.percentile(in.endToEndMs(AnalysisTask.CAPTION), 99)).isNaN();

        IntervalResults.Interval next = results.drain();
        assertThat(next.total()).isZero();
        assertThat(next.endToEndMs(AnalysisTask.MODERATION)).isEmpty();
    }
}
