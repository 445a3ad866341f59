package dev.glimpse.serving.slicing;

/**
 * A picture size in pixels, PIL order (width first).
 *
 * @param width pixels per row, at least 1
 * @param height rows, at least 1
 */
public record ImageSize(int width, int height) {

    public ImageSize {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException(
                    "image size must be at least 1x1 pixels, got " + width + "x" + height);
        }
    }

    /** Number of pixels, as a long because 65535x65535 overflows an int. */
    public long area() {
        return (long) width * height;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
