package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;
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
        int width = source.width();
        int rowOffset = 0;
        int height = source.height();
        if (horizontal) {
            // Only rows [firstRow, lastRow) feed the vertical pass.
            int firstRow = rows.first[0];
            int lastRow = rows.first[outHeight - 1] + rows.count[outHeight - 1];
            if (!vertical) {
                firstRow = 0;
                lastRow = height;
            }
            pixels = horizontalPass(pixels, width, firstRow, lastRow, columns, outWidth);
            width = outWidth;
            rowOffset = firstRow;
            height = lastRow - firstRow;
        }
        if (vertical) {
            pixels = verticalPass(pixels, width, rowOffset, rows, outHeight);
        }
        return RgbImage.wrap(outWidth, outHeight, pixels);
    }

    private static byte[] horizontalPass(
            byte[] in,
            int inWidth,
            int firstRow,
            int lastRow,
            ResampleCoefficients c,
            int outWidth) {
        byte[] out = new byte[(lastRow - firstRow) * outWidth * 3];
        int taps = c.taps;
        int[] weights = c.weights;
        int[] first = c.first;
        int[] count = c.count;
        int o = 0;
        for (int y = firstRow; y < lastRow; y++) {
            int rowStart = y * inWidth * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int r = HALF;
                int g = HALF;
                int b = HALF;
                int k = xx * taps;
                int i = rowStart + first[xx] * 3;
                for (int n = count[xx]; n > 0; n--, k++, i += 3) {
                    int w = weights[k];
                    r += (in[i] & 0xff) * w;
                    g += (in[i + 1] & 0xff) * w;
                    b += (in[i + 2] & 0xff) * w;
                }
                out[o++] = clip8(r);
                out[o++] = clip8(g);
                out[o++] = clip8(b);
            }
        }
        return out;
    }

    /**
     * Vertical pass, accumulated row by row into an int buffer so the inner loop walks memory
     * linearly; integer sums are order-independent, so this equals Pillow's per-pixel loop.
     */
    private static byte[] verticalPass(
            byte[] in, int width, int rowOffset, ResampleCoefficients c, int outHeight) {
        int rowBytes = width * 3;
        byte[] out = new byte[outHeight * rowBytes];
        int[] acc = new int[rowBytes];
        int taps = c.taps;
        int[] weights = c.weights;
        for (int yy = 0; yy < outHeight; yy++) {
            java.util.Arrays.fill(acc, HALF);
            int k = yy * taps;
            int firstRow = c.first[yy] - rowOffset;
            for (int n = 0; n < c.count[yy]; n++) {
                int w = weights[k + n];
                int src = (firstRow + n) * rowBytes;
                for (int i = 0; i < rowBytes; i++) {
                    acc[i] += (in[src + i] & 0xff) * w;
                }
            }
            int o = yy * rowBytes;
            for (int i = 0; i < rowBytes; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
        return out;
    }

    private static byte clip8(int value) {
        if (value <= 0) {
            return 0;
        }
        int shifted = value >> SHIFT;
        return (byte) (shifted > 255 ? 255 : shifted);
    }
}
