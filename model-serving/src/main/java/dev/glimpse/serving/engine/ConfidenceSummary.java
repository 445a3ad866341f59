package dev.glimpse.serving.engine;

/**
 * Mean and minimum of the token probabilities of a span of an answer.
 *
 * @param mean arithmetic mean of the span's token probabilities, in (0, 1]
 * @param min lowest token probability of the span, in (0, 1]
 */
public record ConfidenceSummary(double mean, double min) {
    public ConfidenceSummary {
        if (!(min > 0 && min <= mean && mean <= 1)) {
            throw new IllegalArgumentException(
                    "confidence must satisfy 0 < min <= mean <= 1, was mean "
                            + mean
                            + ", min "
                            + min);
        }
    }

    /** The summary of {@code probabilities[tokens[0..count)]}; {@code count} must be positive. */
    static ConfidenceSummary of(double[] probabilities, int[] tokens, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("a summary needs at least one token, got " + count);
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            double p = probabilities[tokens[i]];
            sum += p;
            min = Math.min(min, p);
        }
        // the mean of values >= min is >= min; rounding must not say otherwise
        return new ConfidenceSummary(Math.max(min, sum / count), min);
    }
}
