package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;
import java.util.List;
import java.util.Objects;

/**
 * A picture cut for the vision encoder: the layout and its pixels in encoder order.
 *
 * @param layout the plan the pixels follow
 * @param images {@code layout.imageCount()} pictures: the overview, then the slices row-major (for
 *     each row top to bottom, each column left to right)
 */
public record SlicedImage(SliceLayout layout, List<RgbImage> images) {

    public SlicedImage {
        Objects.requireNonNull(layout, "layout");
        images = List.copyOf(images);
        if (images.size() != layout.imageCount()) {
            throw new IllegalArgumentException(
                    "layout "
                            + layout
                            + " needs "
                            + layout.imageCount()
                            + " images, got "
                            + images.size());
        }
    }

    /** The whole picture resized; always present. */
    public RgbImage overview() {
        return images.get(0);
    }

    /** Slices in row-major order; empty when unsliced. */
    public List<RgbImage> slices() {
        return images.subList(1, images.size());
    }
}
