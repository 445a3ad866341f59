package dev.glimpse.serving.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * Turns whatever an ImageIO reader returns into 8-bit RGB the way PIL's {@code .convert("RGB")}
 * does: alpha is dropped (not composited), grey is replicated, 16-bit samples keep their high byte,
 * palette entries are looked up.
 *
 * <p>Why not {@link BufferedImage#getRGB}: for grey images Java treats the samples as linear and
 * converts them to sRGB (grey 128 becomes 187), and per-pixel calls are slow. Samples are read from
 * the raster instead; {@code getRGB} remains only for colour models with no direct meaning (e.g.
 * CMYK or packed formats), row by row.
 */
final class RgbConverter {

    private RgbConverter() {}

    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof ComponentColorModel && !isFloat(raster)) {
            int csType = cm.getColorSpace().getType();
            if (csType == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3) {
                if (!fastInterleavedBytes(raster, out, w, h)) {
                    copyBands(raster, cm, out, w, h, new int[] {0, 1, 2});
                }
                return RgbImage.wrap(w, h, out);
            }
            if (csType == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
                copyBands(raster, cm, out, w, h, new int[] {0, 0, 0});
                return RgbImage.wrap(w, h, out);
            }
        }
        if (cm instanceof IndexColorModel icm) {
            copyIndexed(raster, icm, out, w, h);
            return RgbImage.wrap(w, h, out);
        }
        if (cm instanceof DirectColorModel dcm
                && !dcm.isAlphaPremultiplied()
                && dcm.getColorSpace().isCS_sRGB()) {
            copyPacked(raster, dcm, out, w, h);
            return RgbImage.wrap(w, h, out);
        }
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                out[o++] = (byte) (argb >> 16);
                out[o++] = (byte) (argb >> 8);
                out[o++] = (byte) argb;
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private static boolean isFloat(Raster raster) {
        int t = raster.getDataBuffer().getDataType();
        return t == DataBuffer.TYPE_FLOAT || t == DataBuffer.TYPE_DOUBLE;
    }

    /** 8-bit interleaved bytes (TYPE_3BYTE_BGR, TYPE_4BYTE_ABGR, RGB PNG): direct array walk. */
    private static boolean fastInterleavedBytes(Raster raster, byte[] out, int w, int h) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || buffer.getNumBanks() != 1
                || raster.getParent() != null) {
            return false;
        }
        byte[] data = buffer.getData();
        int[] offsets = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int base = buffer.getOffset();
        int r = offsets[0];
        int g = offsets[1];
        int b = offsets[2];
        if (pixelStride == 3 && scanline == w * 3 && base == 0) {
            // Tightly packed (TYPE_3BYTE_BGR from the JPEG readers): one flat loop.
            int n = w * h * 3;
            for (int i = 0; i < n; i += 3) {
                out[i] = data[i + r];
                out[i + 1] = data[i + g];
                out[i + 2] = data[i + b];
            }
            return true;
        }
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * scanline;
            for (int x = 0; x < w; x++, p += pixelStride) {
                out[o++] = data[p + r];
                out[o++] = data[p + g];
                out[o++] = data[p + b];
            }
        }
        return true;
    }

    /**
     * Samples of the given bands, reduced to 8 bits like PIL: the high byte of 16-bit samples,
     * {@code v * 255 / max} for fewer bits.
     */
    private static void copyBands(
            Raster raster, ColorModel cm, byte[] out, int w, int h, int[] bands) {
        int bits = cm.getComponentSize(0);
        int[][] rows = new int[3][];
        int o = 0;
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < 3; c++) {
                rows[c] = raster.getSamples(0, y, w, 1, bands[c], rows[c]);
            }
            for (int x = 0; x < w; x++) {
                out[o++] = to8Bits(rows[0][x], bits);
                out[o++] = to8Bits(rows[1][x], bits);
                out[o++] = to8Bits(rows[2][x], bits);
            }
        }
    }

    /**
     * Packed pixels (INT_RGB, ARGB, 565/555 BMP): each band's bits scaled to 8 with Pillow's
     * truncating {@code v * 255 / max} (its BGR;16 and BGR;15 unpackers), exact for 8-bit bands.
     */
    private static void copyPacked(Raster raster, DirectColorModel dcm, byte[] out, int w, int h) {
        int[][] rows = new int[3][];
        int[] max = new int[3];
        for (int c = 0; c < 3; c++) {
            max[c] = (1 << dcm.getComponentSize(c)) - 1;
        }
        int o = 0;
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < 3; c++) {
                rows[c] = raster.getSamples(0, y, w, 1, c, rows[c]);
            }
            for (int x = 0; x < w; x++) {
                out[o++] = (byte) (rows[0][x] * 255 / max[0]);
                out[o++] = (byte) (rows[1][x] * 255 / max[1]);
                out[o++] = (byte) (rows[2][x] * 255 / max[2]);
            }
        }
    }

    private static void copyIndexed(Raster raster, IndexColorModel icm, byte[] out, int w, int h) {
        int size = icm.getMapSize();
        byte[] reds = new byte[size];
        byte[] greens = new byte[size];
        byte[] blues = new byte[size];
        icm.getReds(reds);
        icm.getGreens(greens);
        icm.getBlues(blues);
        int[] row = null;
        int o = 0;
        for (int y = 0; y < h; y++) {
            row = raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = row[x];
                if (i < size) {
                    out[o++] = reds[i];
                    out[o++] = greens[i];
                    out[o++] = blues[i];
                } else {
                    o += 3; // index past the palette: black (callers may reject first)
                }
            }
        }
    }

    private static byte to8Bits(int sample, int bits) {
        if (bits == 8) {
            return (byte) sample;
        }
        if (bits > 8) {
            return (byte) (sample >>> (bits - 8));
        }
        return (byte) (sample * 255 / ((1 << bits) - 1));
    }

    /**
     * Largest sample value in band 0 of an indexed raster; used to detect out-of-palette indices.
     */
    static int maxIndex(Raster raster) {
        int max = 0;
        int[] row = null;
        for (int y = 0; y < raster.getHeight(); y++) {
            row =
                    raster.getSamples(
                            raster.getMinX(), raster.getMinY() + y, raster.getWidth(), 1, 0, row);
            for (int v : row) {
                max = Math.max(max, v);
            }
        }
        return max;
    }
}
