package dev.glimpse.serving.image;

/**
 * Bounds checked before any pixel memory is allocated. Immutable.
 *
 * <p>Sides are checked on the picture as displayed (after EXIF rotation). The defaults allow
 * extreme strips such as 1x20000 (the slicer handles them) but cap memory through the pixel count:
 * 40 Mpx is 120 MB of RGB.
 *
 * @param maxEncodedBytes largest accepted input, in bytes
 * @param maxWidth longest accepted width, in pixels
 * @param maxHeight longest accepted height, in pixels
 * @param maxPixels largest accepted width x height
 * @param minWidth shortest accepted width, in pixels (at least 1)
 * @param minHeight shortest accepted height, in pixels (at least 1)
 */
public record DecodeLimits(
        long maxEncodedBytes,
        int maxWidth,
        int maxHeight,
        long maxPixels,
        int minWidth,
        int minHeight) {

    /** 20 MiB encoded, 32768 per side, 40 Mpx, at least 1x1. */
    public static final DecodeLimits DEFAULTS =
            new DecodeLimits(20L * 1024 * 1024, 32_768, 32_768, 40_000_000L, 1, 1);

    // Keeps width * height * 3 (the RGB buffer) within one Java array.
    private static final long MAX_PIXELS_CEILING = (Integer.MAX_VALUE - 8) / 3;

    public DecodeLimits {
        if (maxEncodedBytes < 1 || maxEncodedBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "maxEncodedBytes must be in [1, "
                            + (Integer.MAX_VALUE - 8)
                            + "] (one byte array), got "
                            + maxEncodedBytes);
        }
        if (minWidth < 1 || minHeight < 1) {
            throw new IllegalArgumentException(
                    "minWidth and minHeight must be at least 1 pixel, got "
                            + minWidth
                            + "x"
                            + minHeight);
        }
        if (maxWidth < minWidth || maxHeight < minHeight) {
            throw new IllegalArgumentException(
                    "maxWidth x maxHeight must be at least minWidth x minHeight ("
                            + minWidth
                            + "x"
                            + minHeight
                            + "), got "
                            + maxWidth
                            + "x"
                            + maxHeight);
        }
        if (maxPixels < (long) minWidth * minHeight || maxPixels > MAX_PIXELS_CEILING) {
            throw new IllegalArgumentException(
                    "maxPixels must be in ["
                            + ((long) minWidth * minHeight)
                            + ", "
                            + MAX_PIXELS_CEILING
                            + "] (an RGB buffer must fit one array), got "
                            + maxPixels);
        }
    }
}
