package dev.glimpse.operators.gate;

import dev.glimpse.serving.image.RgbImage;

/**
 * 64-bit difference hash (dHash) of a picture: the luma shrunk to 9x8 by box averaging, one bit per
 * horizontally adjacent pair (left brighter than right). Near-identical frames (sensor noise,
 * re-encoding) differ in a few bits; a changed scene in many.
 */
public final class DifferenceHash {

    private static final int W = 9;
    private static final int H = 8;

    /**
     * Luma difference below which two cells count as equal. Cell means are sums of doubles divided
     * by pixel counts that differ between cells, so two cells of one flat colour differ in their
     * last bits; without a tolerance those rounding errors decide the bit, and a flat region's bits
     * change with its exact colour (a 1-level brightness change flipped ~25 of 64 bits).
     */
    private static final double TIE_TOLERANCE = 1e-6;

    private DifferenceHash() {}

    /** The hash of {@code image}. */
    public static long of(RgbImage image) {
        int width = image.width();
        int height = image.height();
        byte[] px = image.pixels();
        double[] cells = new double[W * H];
        int[] counts = new int[W * H];
        for (int y = 0; y < height; y++) {
            int cy = (int) ((long) y * H / height);
            int row = y * width * 3;
            for (int x = 0; x < width; x++) {
                int cx = (int) ((long) x * W / width);
                int i = row + x * 3;
                // ITU-R BT.601 luma, as Pillow's convert("L")
                double luma =
                        0.299 * (px[i] & 0xFF)
                                + 0.587 * (px[i + 1] & 0xFF)
                                + 0.114 * (px[i + 2] & 0xFF);
                cells[cy * W + cx] += luma;
                counts[cy * W + cx]++;
            }
        }
        long hash = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W - 1; x++) {
                double left = mean(cells, counts, y * W + x);
                double right = mean(cells, counts, y * W + x + 1);
                hash = (hash << 1) | (left - right > TIE_TOLERANCE ? 1 : 0);
            }
        }
        return hash;
    }

    /** Number of differing bits. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    private static double mean(double[] sums, int[] counts, int i) {
        // A picture narrower than 9 or shorter than 8 px leaves cells empty: treat them as black.
        return counts[i] == 0 ? 0 : sums[i] / counts[i];
    }
}
