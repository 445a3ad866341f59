package dev.glimpse.serving.image;

import java.util.List;
import java.util.Objects;

/**
 * A successfully decoded picture.
 *
 * @param pixels RGB pixels as displayed (EXIF orientation applied, alpha dropped)
 * @param format the reader's format name, e.g. "png", "JPEG", "tiff"
 * @param orientation the EXIF orientation that was applied
 * @param warnings benign reader warnings (for logs and metrics; fatal ones reject instead)
 */
public record DecodedImage(
        RgbImage pixels, String format, ExifOrientation orientation, List<String> warnings) {

    public DecodedImage {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(orientation, "orientation");
        warnings = List.copyOf(warnings);
    }
}
