package dev.glimpse.serving.image;

import java.util.Objects;

/**
 * A decoded 8-bit RGB picture, the form every later stage works on (PIL mode "RGB").
 *
 * <p>Pixels are interleaved R, G, B bytes, row-major, no padding: the sample of channel {@code c}
 * at {@code (x, y)} is {@code pixels[(y * width + x) * 3 + c] & 0xff}. The array is shared, not
 * copied, for speed: whoever creates an {@code RgbImage} hands the array over and nobody modifies
 * it afterwards, which makes instances safe to share between threads.
 */
public final class RgbImage {

    /** Bytes per pixel (R, G, B). */
    public static final int CHANNELS = 3;

    private final int width;
    private final int height;
    private final byte[] pixels; // (height, width, 3) interleaved RGB, unsigned bytes

    private RgbImage(int width, int height, byte[] pixels) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException(
                    "image must be at least 1x1 pixels, got " + width + "x" + height);
        }
        Objects.requireNonNull(pixels, "pixels");
        long expected = (long) width * height * CHANNELS;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(
                    "pixel array for "
                            + width
                            + "x"
                            + height
                            + " RGB must hold "
                            + expected
                            + " bytes, got "
                            + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /**
     * Wraps interleaved RGB bytes without copying; the caller must not modify {@code pixels}
     * afterwards.
     */
    public static RgbImage wrap(int width, int height, byte[] pixels) {
        return new RgbImage(width, height, pixels);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing array (see the class comment: read it, never write it). */
    public byte[] pixels() {
        return pixels;
    }

    /** Packed 0xRRGGBB of one pixel; for tests and diagnostics, not for inner loops. */
    public int rgb(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        int i = (y * width + x) * CHANNELS;
        return (pixels[i] & 0xff) << 16 | (pixels[i + 1] & 0xff) << 8 | (pixels[i + 2] & 0xff);
    }

    /** A copy of the rectangle at {@code (x, y)} of size {@code cropWidth x cropHeight}. */
    public RgbImage crop(int x, int y, int cropWidth, int cropHeight) {
        if (x < 0
                || y < 0
                || cropWidth < 1
                || cropHeight < 1
                || x + cropWidth > width
                || y + cropHeight > height) {
            throw new IllegalArgumentException(
                    "crop "
                            + cropWidth
                            + "x"
                            + cropHeight
                            + " at ("
                            + x
                            + ", "
                            + y
                            + ") must lie inside the "
                            + width
                            + "x"
                            + height
                            + " image");
        }
        byte[] out = new byte[cropWidth * cropHeight * CHANNELS];
        int rowBytes = cropWidth * CHANNELS;
        for (int row = 0; row < cropHeight; row++) {
            System.arraycopy(
                    pixels, ((y + row) * width + x) * CHANNELS, out, row * rowBytes, rowBytes);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
