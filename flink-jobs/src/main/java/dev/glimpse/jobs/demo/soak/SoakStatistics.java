package dev.glimpse.jobs.demo.soak;

import java.util.Arrays;

/** The arithmetic of the soak summary and sampler: pure functions over plain arrays. */
public final class SoakStatistics {

    private SoakStatistics() {}

    /**
     * The nearest-rank percentile: the smallest value with at least {@code p} % of the values at or
     * below it ({@code p} in (0, 100]); NaN for no values. {@code values} is not modified.
     */
    public static double percentile(double[] values, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** The mean of the non-NaN values; NaN if there are none. */
    public static double mean(double[] values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The smallest of the non-NaN values; NaN if there are none. */
    public static double min(double[] values) {
        double min = Double.NaN;
        for (double v : values) {
            if (!Double.isNaN(v) && !(v >= min)) {
                min = v;
            }
        }
        return min;
    }

    /**
     * The least-squares slope of {@code y} over {@code x} (units of y per unit of x), pairs with a
     * NaN left out; NaN for fewer than two pairs or no spread in x.
     */
    public static double slope(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(
                    "x and y must have the same length, were " + x.length + " and " + y.length);
        }
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(x[i]) && !Double.isNaN(y[i])) {
                sx += x[i];
                sy += y[i];
                n++;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        double mx = sx / n;
        double my = sy / n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(x[i]) && !Double.isNaN(y[i])) {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
            }
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /** The first third of {@code y} (its first {@code length / 3} values); empty below 3 values. */
    public static double[] firstThird(double[] y) {
        return y.length < 3 ? new double[0] : Arrays.copyOfRange(y, 0, y.length / 3);
    }

    /** The last third of {@code y} (its last {@code length / 3} values); empty below 3 values. */
    public static double[] lastThird(double[] y) {
        return y.length < 3
                ? new double[0]
                : Arrays.copyOfRange(y, y.length - y.length / 3, y.length);
    }

    /**
     * The change from {@code first} to {@code last} in percent of {@code first}: {@code (last -
     * first) / |first| * 100}; NaN when {@code first} is 0 or NaN.
     */
    public static double changePercent(double first, double last) {
        if (Double.isNaN(first) || first == 0) {
            return Double.NaN;
        }
        return (last - first) / Math.abs(first) * 100;
    }

    /**
     * The change from the first third of {@code y} to its last third, in percent of the first
     * third's mean ({@link #changePercent} of the thirds' means). NaN for fewer than three values
     * or a first-third mean of 0 or NaN.
     */
    public static double thirdsChangePercent(double[] y) {
        return changePercent(mean(firstThird(y)), mean(lastThird(y)));
    }

    /**
     * The least-squares trend of {@code y} over the window, in percent of its mean: {@code slope *
     * (last x - first x) / |mean(y)| * 100}, the growth a straight line fitted to the whole window
     * shows from its start to its end. NaN when the slope or the mean is undefined or the mean is
     * 0.
     */
    public static double trendPercent(double[] x, double[] y) {
        double slope = slope(x, y);
        double mean = mean(y);
        if (Double.isNaN(slope) || Double.isNaN(mean) || mean == 0 || x.length < 2) {
            return Double.NaN;
        }
        return slope * (x[x.length - 1] - x[0]) / Math.abs(mean) * 100;
    }
}
