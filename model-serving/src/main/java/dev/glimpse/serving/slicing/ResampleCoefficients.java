package dev.glimpse.serving.slicing;

/**
 * Fixed-point bicubic weights for one axis, computed as Pillow 9.4 does ({@code precompute_coeffs}
 * + {@code normalize_coeffs_8bpc} in {@code libImaging/Resample.c}).
 *
 * <p>Output sample {@code i} reads {@code count(i)} inputs starting at {@code first(i)}, weighted
 * by {@code weights[i * taps .. i * taps + count(i))}. Weights are doubles normalised to sum 1,
 * then rounded half away from zero to {@link #PRECISION_BITS} fractional bits; results must be
 * summed from {@code 1 << (PRECISION_BITS - 1)} and shifted right, as {@link
 * PillowBicubicResampler} does. Immutable.
 */
final class ResampleCoefficients {

    /** Pillow's {@code PRECISION_BITS = 32 - 8 - 2}: room for 8-bit samples and negative lobes. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private static final double BICUBIC_A = -0.5;
    private static final double BICUBIC_SUPPORT = 2.0;

    final int taps; // maximum inputs per output sample (Pillow's ksize)
    final int[] first; // (outSize) first input index per output sample
    final int[] count; // (outSize) number of inputs per output sample
    final int[] weights; // (outSize, taps) fixed-point weights, unused tail entries 0

    private ResampleCoefficients(int taps, int[] first, int[] count, int[] weights) {
        this.taps = taps;
        this.first = first;
        this.count = count;
        this.weights = weights;
    }

    /**
     * Weights for resizing {@code inSize} samples to {@code outSize} (the whole axis, box 0..in).
     */
    static ResampleCoefficients bicubic(int inSize, int outSize) {
        // Pillow's box is float[4]; (in1 - in0) is computed in float, then widened.
        double scale = (double) ((float) inSize - 0.0f) / outSize;
        double filterScale = Math.max(scale, 1.0); // widen the kernel on downscale = antialias
        double support = BICUBIC_SUPPORT * filterScale;
        int taps = (int) Math.ceil(support) * 2 + 1;

        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * taps];
        double[] k = new double[taps];
        for (int xx = 0; xx < outSize; xx++) {
            double center = 0.0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double normalised = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * taps + x] = toFixedPoint(normalised);
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new ResampleCoefficients(taps, first, count, weights);
    }

    private static int toFixedPoint(double weight) {
        double scaled = weight * (1 << PRECISION_BITS);
        return weight < 0 ? (int) (-0.5 + scaled) : (int) (0.5 + scaled);
    }

    /** Pillow's {@code bicubic_filter} (Keys kernel, a = -0.5), same operation order. */
    private static double filter(double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((BICUBIC_A + 2.0) * x - (BICUBIC_A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * BICUBIC_A;
        }
        return 0.0;
    }
}
