package dev.glimpse.jobs.demo.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SoakStatisticsTest {

    @Test
    void percentilesAreNearestRank() {
        double[] v = {50, 10, 40, 20, 30, 60, 70, 80, 90, 100};

        assertThat(SoakStatistics.percentile(v, 50)).isEqualTo(50);
        assertThat(SoakStatistics.percentile(v, 99)).isEqualTo(100);
        assertThat(SoakStatistics.percentile(v, 90)).isEqualTo(90);
        assertThat(SoakStatistics.percentile(v, 91)).isEqualTo(100);
        assertThat(SoakStatistics.percentile(v, 1)).isEqualTo(10);
        assertThat(SoakStatistics.percentile(new double[] {7}, 99)).isEqualTo(7);
        assertThat(SoakStatistics.percentile(new double[0], 50)).isNaN();
        assertThat(v[0]).as("input left unsorted").isEqualTo(50);
    }

    @Test
    void percentileOutsideItsRangeIsRejected() {
        assertThatThrownBy(() -> SoakStatistics.percentile(new double[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("percentile must be in (0, 100], was 0.0");
    }

    @Test
    void meanAndSlopeSkipUnmeasuredValues() {
        double[] x = {0, 60, 120, 180, 240};
        double[] y = {100, 103, Double.NaN, 109, 112};

        assertThat(SoakStatistics.mean(y)).isEqualTo(106);
        assertThat(SoakStatistics.slope(x, y)).isCloseTo(0.05, within(1e-12));
        assertThat(SoakStatistics.mean(new double[] {Double.NaN})).isNaN();
        assertThat(SoakStatistics.slope(new double[] {1, 1}, new double[] {2, 3})).isNaN();
    }

    @Test
    void thirdsChangeComparesTheFirstAndLastThirdMeans() {
        // thirds of 7 values: the first 2 (mean 100) and the last 2 (mean 105)
        double[] y = {99, 101, 500, 500, 500, 104, 106};

        assertThat(SoakStatistics.thirdsChangePercent(y)).isCloseTo(5.0, within(1e-12));
        assertThat(SoakStatistics.thirdsChangePercent(new double[] {1, 2})).isNaN();
        assertThat(SoakStatistics.thirdsChangePercent(new double[] {0, 1, 2})).isNaN();
    }

    @Test
    void trendIsTheFittedLinesGrowthOverTheWindowInPercentOfTheMean() {
        double[] x = {0, 100, 200, 300, 400};
        double[] y = {90, 95, 100, 105, 110}; // slope 0.05 per s, mean 100, window 400 s

        assertThat(SoakStatistics.trendPercent(x, y)).isCloseTo(20.0, within(1e-9));
        assertThat(SoakStatistics.trendPercent(x, new double[] {5, 5, 5, 5, 5})).isEqualTo(0);
    }

    @Test
    void minLeavesNaNOutAndIsNaNWithoutValues() {
        assertThat(SoakStatistics.min(new double[] {3, Double.NaN, 1, 2})).isEqualTo(1);
        assertThat(SoakStatistics.min(new double[] {Double.NaN})).isNaN();
        assertThat(SoakStatistics.min(new double[0])).isNaN();
    }
}
