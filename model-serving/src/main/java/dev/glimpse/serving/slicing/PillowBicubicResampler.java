package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        return resizeAll(source, List.of(target)).get(0);
    }

    /**
     * Resizes {@code source} to each of {@code targets}, every result exactly as a separate {@link
     * #resize} call; faster because the horizontal passes share one transposition of the source
     * rows (the slicer needs the overview and the refined size of the same picture).
     */
    public List<RgbImage> resizeAll(RgbImage source, List<ImageSize> targets) {
        Objects.requireNonNull(source, "source");
        RgbImage[] results = new RgbImage[targets.size()];
        List<HorizontalJob> jobs = new ArrayList<>();
        for (int t = 0; t < targets.size(); t++) {
            ImageSize target = Objects.requireNonNull(targets.get(t), "target");
            boolean horizontal = target.width() != source.width();
            boolean vertical = target.height() != source.height();
            ResampleCoefficients rows =
                    ResampleCoefficients.bicubic(source.height(), target.height());
            if (!horizontal && !vertical) {
                results[t] = source;
            } else if (!horizontal) {
                results[t] =
                        RgbImage.wrap(
                                target.width(),
                                target.height(),
                                verticalPass(
                                        source.pixels(), source.width(), rows, target.height()));
            } else {
                jobs.add(new HorizontalJob(t, source, target, vertical, rows));
            }
        }
        if (!jobs.isEmpty()) {
            horizontalPasses(source, jobs);
            for (HorizontalJob job : jobs) {
                int w = job.target.width();
                int h = job.target.height();
                byte[] out =
                        job.vertical
                                ? verticalPass(job.out, w, job.firstRow, job.rows, h)
                                : toBytes(job.out, w, h);
                results[job.index] = RgbImage.wrap(w, h, out);
            }
        }
        return List.of(results);
    }

    /** One target's horizontal pass: its weights, the source rows it needs, its packed output. */
    private static final class HorizontalJob {
        final int index; // position in the caller's target list
        final ImageSize target;
        final boolean vertical; // whether a vertical pass follows
        final ResampleCoefficients columns;
        final ResampleCoefficients rows;
        final int firstRow; // first source row the vertical pass reads
        final int lastRow; // one past the last
        final int rowLongs; // longs per packed output row
        final long[] out; // (lastRow - firstRow, rowLongs) packed 8-bit results, see below

        HorizontalJob(
                int index,
                RgbImage source,
                ImageSize target,
                boolean vertical,
                ResampleCoefficients rows) {
            this.index = index;
            this.target = target;
            this.vertical = vertical;
            this.columns = ResampleCoefficients.bicubic(source.width(), target.width());
            this.rows = rows;
            // Pillow resamples horizontally only the rows the vertical pass reads.
            int h = target.height();
            this.firstRow = vertical ? rows.first[0] : 0;
            this.lastRow = vertical ? rows.first[h - 1] + rows.count[h - 1] : source.height();
            this.rowLongs = packedLength(target.width());
            this.out = new long[(lastRow - firstRow) * rowLongs];
        }
    }

    /**
     * Horizontal passes of all jobs. Results are 8-bit values packed for the vertical pass: output
     * row r, element e (= x * 3 + channel) sits in lane {@code e & 1} of {@code out[r * rowLongs +
     * e / 2]}.
     *
     * <p>Pillow loops over output pixels and taps. Here a band of rows is transposed first, so a
     * tap is a multiply-add over a contiguous run, and two rows share one {@code long} (row 2q in
     * the low 32 bits, row 2q+1 in the high 32 bits): one 64-bit multiply by the weight yields both
     * 32-bit products. That is exact because each lane's true sum fits a signed int (Pillow's
     * precision guarantees it), so {@code (int) v} is the low sum and {@code (v - low) >> 32} the
     * high one. Each output still sums the same products, in the same tap order, as Pillow.
     */
    private static void horizontalPasses(RgbImage source, List<HorizontalJob> jobs) {
        byte[] in = source.pixels();
        int inWidth = source.width();
        int from = Integer.MAX_VALUE;
        int to = 0;
        for (HorizontalJob job : jobs) {
            from = Math.min(from, job.firstRow);
            to = Math.max(to, job.lastRow);
        }
        int pairsPerBand = BAND_ROWS / 2;
        long[] band = new long[inWidth * pairsPerBand * 3]; // (inWidth, row pairs, 3) transposed
        long[] acc = new long[pairsPerBand * 3];
        for (int y0 = from; y0 < to; y0 += BAND_ROWS) {
            int bandRows = Math.min(BAND_ROWS, to - y0);
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
            for (HorizontalJob job : jobs) {
                if (y0 + bandRows > job.firstRow && y0 < job.lastRow) {
                    resampleBand(band, acc, y0, bandRows, stride, job);
                }
            }
        }
    }

    /** One job's outputs for the band of rows {@code [y0, y0 + bandRows)}. */
    private static void resampleBand(
            long[] band, long[] acc, int y0, int bandRows, int stride, HorizontalJob job) {
        long halfPair = ((long) HALF << 32) + HALF;
        ResampleCoefficients c = job.columns;
        int taps = c.taps;
        int[] weights = c.weights;
        long[] out = job.out;
        int rowLongs = job.rowLongs;
        int pairs = stride / 3;
        for (int xx = 0; xx < job.target.width(); xx++) {
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
                int lowRow = y0 + 2 * q;
                boolean lowInRange = lowRow >= job.firstRow && lowRow < job.lastRow;
                boolean highInRange =
                        2 * q + 1 < bandRows
                                && lowRow + 1 >= job.firstRow
                                && lowRow + 1 < job.lastRow;
                int row = (lowRow - job.firstRow) * rowLongs;
                for (int ch = 0; ch < 3; ch++) {
                    int e = xx * 3 + ch;
                    int shift = (e & 1) << 5;
                    long v = acc[q * 3 + ch];
                    int lowSum = (int) v;
                    if (lowInRange) {
                        out[row + (e >> 1)] |= (long) clip8(lowSum) << shift;
                    }
                    if (highInRange) {
                        out[row + rowLongs + (e >> 1)] |=
                                (long) clip8((int) ((v - lowSum) >> 32)) << shift;
                    }
                }
            }
        }
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
