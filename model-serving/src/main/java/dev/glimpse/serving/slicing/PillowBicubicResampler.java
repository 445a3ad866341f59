package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * Resizes RGB pictures with exactly the arithmetic of Pillow 9.4's {@code Image.resize(size,
 * BICUBIC)} on an 8-bit image, which is what MiniCPM-V was trained on.
 *
 * <p>Pillow's algorithm ({@code ImagingResampleInner}): a separable two-pass resample, horizontal
 * pass first over only the rows the vertical pass will read, then the vertical pass; each pass uses
 * per-output fixed-point weights ({@link ResampleCoefficients}), accumulates in a 32-bit int
 * starting at one half, and clips {@code acc >> 22} to 0..255 (so the intermediate image is rounded
 * to 8 bits, as in Pillow). A pass whose size does not change is skipped; same size both ways
 * returns the input. Stateless and thread-safe.
 */
public final class PillowBicubicResampler {

    private static final int HALF = 1 << (ResampleCoefficients.PRECISION_BITS - 1);
    private static final int SHIFT = ResampleCoefficients.PRECISION_BITS;
    // Rows transposed together in the horizontal pass (8 packed row pairs x 3 channels = 24-long
    // runs per tap); the band of a 4000-pixel-wide picture is 1.5 MB and is read as a sliding
    // window of a few taps, so larger bands measured no faster.
    private static final int BAND_ROWS = 16;

    /** Returns {@code source} resized to {@code target} (the source itself if sizes match). */
    public RgbImage resize(RgbImage source, ImageSize target) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        int outWidth = target.width();
        int outHeight = target.height();
        boolean horizontal = outWidth != source.width();
        boolean vertical = outHeight != source.height();
        if (!horizontal && !vertical) {
            return source;
        }
        ResampleCoefficients columns = ResampleCoefficients.bicubic(source.width(), outWidth);
        ResampleCoefficients rows = ResampleCoefficients.bicubic(source.height(), outHeight);

        byte[] pixels = source.pixels();
        if (!horizontal) {
            return RgbImage.wrap(
                    outWidth, outHeight, verticalPass(pixels, source.width(), rows, outHeight));
        }
        // Only rows [firstRow, lastRow) feed the vertical pass.
        int firstRow = vertical ? rows.first[0] : 0;
        int lastRow =
                vertical ? rows.first[outHeight - 1] + rows.count[outHeight - 1] : source.height();
        long[] rowsOut =
                horizontalPass(pixels, source.width(), firstRow, lastRow, columns, outWidth);
        byte[] out =
                vertical
                        ? verticalPass(rowsOut, outWidth, firstRow, rows, outHeight)
                        : toBytes(rowsOut, outWidth, outHeight);
        return RgbImage.wrap(outWidth, outHeight, out);
    }

    /**
     * Horizontal pass over rows {@code [firstRow, lastRow)}, returning its 8-bit results packed for
     * the vertical pass: row r, element e (= x * 3 + channel) sits in lane {@code e & 1} of {@code
     * out[r * packedLength(outWidth) + e / 2]}.
     *
     * <p>Pillow loops over output pixels and taps. Here a band of rows is transposed first, so a
     * tap is a multiply-add over a contiguous run, and two rows share one {@code long} (row 2q in
     * the low 32 bits, row 2q+1 in the high 32 bits): one 64-bit multiply by the weight yields both
     * 32-bit products. That is exact because each lane's true sum fits a signed int (Pillow's
     * precision guarantees it), so {@code (int) v} is the low sum and {@code (v - low) >> 32} the
     * high one. Each output still sums the same products, in the same tap order, as Pillow.
     */
    private static long[] horizontalPass(
            byte[] in,
            int inWidth,
            int firstRow,
            int lastRow,
            ResampleCoefficients c,
            int outWidth) {
        int rowLongs = packedLength(outWidth);
        long[] out = new long[(lastRow - firstRow) * rowLongs];
        int pairsPerBand = BAND_ROWS / 2;
        long[] band = new long[inWidth * pairsPerBand * 3]; // (inWidth, row pairs, 3) transposed
        long[] acc = new long[pairsPerBand * 3];
        int taps = c.taps;
        int[] weights = c.weights;
        long halfPair = ((long) HALF << 32) + HALF;
        for (int y0 = firstRow; y0 < lastRow; y0 += BAND_ROWS) {
            int bandRows = Math.min(BAND_ROWS, lastRow - y0);
            int pairs = (bandRows + 1) / 2;
            int stride = pairs * 3;
            for (int q = 0; q < pairs; q++) {
                int low = (y0 + 2 * q) * inWidth * 3;
                boolean hasHigh = 2 * q + 1 < bandRows;
                int high = hasHigh ? low + inWidth * 3 : low;
                long highMask = hasHigh ? -1L : 0L;
                int dst = q * 3;
                for (int x = 0; x < inWidth; x++, low += 3, high += 3, dst += stride) {
                    band[dst] = ((long) (in[high] & 0xff) << 32 & highMask) | (in[low] & 0xff);
                    band[dst + 1] =
                            ((long) (in[high + 1] & 0xff) << 32 & highMask) | (in[low + 1] & 0xff);
                    band[dst + 2] =
                            ((long) (in[high + 2] & 0xff) << 32 & highMask) | (in[low + 2] & 0xff);
                }
            }
            int outRow = (y0 - firstRow) * rowLongs;
            for (int xx = 0; xx < outWidth; xx++) {
                Arrays.fill(acc, 0, stride, halfPair);
                int k = xx * taps;
                int s = c.first[xx] * stride;
                for (int n = c.count[xx]; n > 0; n--, k++, s += stride) {
                    long w = weights[k];
                    for (int i = 0; i < stride; i++) {
                        acc[i] += band[s + i] * w;
                    }
                }
                for (int q = 0; q < pairs; q++) {
                    int row = outRow + 2 * q * rowLongs;
                    for (int ch = 0; ch < 3; ch++) {
                        int e = xx * 3 + ch;
                        int shift = (e & 1) << 5;
                        long v = acc[q * 3 + ch];
                        int lowSum = (int) v;
                        out[row + (e >> 1)] |= (long) clip8(lowSum) << shift;
                        if (2 * q + 1 < bandRows) {
                            out[row + rowLongs + (e >> 1)] |=
                                    (long) clip8((int) ((v - lowSum) >> 32)) << shift;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Vertical pass over the horizontal pass's packed rows (row {@code r} holds source row {@code
     * rowOffset + r}), accumulated a whole row at a time so the inner loop is contiguous; two
     * elements share each 64-bit multiply-add as in the horizontal pass. Integer sums do not depend
     * on the loop order, so this equals Pillow's per-pixel loop.
     */
    private static byte[] verticalPass(
            long[] in, int width, int rowOffset, ResampleCoefficients c, int outHeight) {
        int rowLength = width * 3;
        int rowLongs = packedLength(width);
        byte[] out = new byte[outHeight * rowLength];
        long[] acc = new long[rowLongs];
        long halfPair = ((long) HALF << 32) + HALF;
        int taps = c.taps;
        int[] weights = c.weights;
        for (int yy = 0; yy < outHeight; yy++) {
            Arrays.fill(acc, halfPair);
            int k = yy * taps;
            int src = (c.first[yy] - rowOffset) * rowLongs;
            for (int n = c.count[yy]; n > 0; n--, k++, src += rowLongs) {
                long w = weights[k];
                for (int j = 0; j < rowLongs; j++) {
                    acc[j] += in[src + j] * w;
                }
            }
            int o = yy * rowLength;
            for (int j = 0; j < rowLongs; j++) {
                long v = acc[j];
                int lowSum = (int) v;
                out[o + 2 * j] = (byte) clip8(lowSum);
                if (2 * j + 1 < rowLength) {
                    out[o + 2 * j + 1] = (byte) clip8((int) ((v - lowSum) >> 32));
                }
            }
        }
        return out;
    }

    /** Vertical pass straight from the source bytes, when the width does not change. */
    private static byte[] verticalPass(
            byte[] in, int width, ResampleCoefficients c, int outHeight) {
        int rowLength = width * 3;
        byte[] out = new byte[outHeight * rowLength];
        int[] acc = new int[rowLength];
        int taps = c.taps;
        int[] weights = c.weights;
        for (int yy = 0; yy < outHeight; yy++) {
            Arrays.fill(acc, HALF);
            int k = yy * taps;
            int src = c.first[yy] * rowLength;
            for (int n = c.count[yy]; n > 0; n--, k++, src += rowLength) {
                int w = weights[k];
                for (int i = 0; i < rowLength; i++) {
                    acc[i] += (in[src + i] & 0xff) * w;
                }
            }
            int o = yy * rowLength;
            for (int i = 0; i < rowLength; i++) {
                out[o + i] = (byte) clip8(acc[i]);
            }
        }
        return out;
    }

    /** Longs per packed row of {@code width} RGB pixels (two elements per long). */
    private static int packedLength(int width) {
        return (width * 3 + 1) / 2;
    }

    /** Unpacks rows written by the horizontal pass when no vertical pass follows. */
    private static byte[] toBytes(long[] packed, int width, int height) {
        int rowLength = width * 3;
        int rowLongs = packedLength(width);
        byte[] out = new byte[rowLength * height];
        for (int y = 0; y < height; y++) {
            for (int e = 0; e < rowLength; e++) {
                out[y * rowLength + e] =
                        (byte) (packed[y * rowLongs + (e >> 1)] >>> ((e & 1) << 5));
            }
        }
        return out;
    }

    /** Pillow's {@code clip8}: the integer part of the fixed-point sum, clamped to 0..255. */
    private static int clip8(int value) {
        if (value <= 0) {
            return 0;
        }
        int shifted = value >> SHIFT;
        return shifted > 255 ? 255 : shifted;
    }
}
