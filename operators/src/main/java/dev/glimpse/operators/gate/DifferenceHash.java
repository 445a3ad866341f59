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

    private DifferenceHash() {}

    /** The hash of {@code image}. */
    public static long of(RgbImage image) {
        int width = image.width();
        int height = image.height();
        byte[] px = image.pixels();
        long[] cells = new long[W * H];
        int[] counts = new int[W * H];
        for (int y = 0; y < height; y++) {
            int cy = (int) ((long) y * H / height);
            int row = y * width * 3;
            for (int x = 0; x < width; x++) {
                int cx = (int) ((long) x * W / width);
                int i = row + x * 3;
                cells[cy * W + cx] += luma(px[i] & 0xFF, px[i + 1] & 0xFF, px[i + 2] & 0xFF);
                counts[cy * W + cx]++;
            }
        }
        long hash = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W - 1; x++) {
                int left = y * W + x;
                int right = left + 1;
                hash = (hash << 1) | (brighter(cells, counts, left, right) ? 1 : 0);
            }
        }
        return hash;
    }

    /** Number of differing bits. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /**
     * ITU-R BT.601 luma in integers, exactly as Pillow's {@code convert("L")} (0..255): integer
     * sums make equal cells compare equal, so a flat area hashes to 0 bits instead of to
     * floating-point rounding noise.
     */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    /** Whether the mean luma of cell {@code a} exceeds that of cell {@code b}, exactly. */
    private static boolean brighter(long[] sums, int[] counts, int a, int b) {
        // A picture narrower than 9 or shorter than 8 px leaves cells empty: treat them as black.
        if (counts[a] == 0) {
            return false;
        }
        if (counts[b] == 0) {
            return sums[a] > 0;
        }
        // sums[a] / counts[a] > sums[b] / counts[b] without rounding
        return sums[a] * counts[b] > sums[b] * counts[a];
    }
}
