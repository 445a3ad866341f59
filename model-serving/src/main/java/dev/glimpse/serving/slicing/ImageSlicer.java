package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cuts a decoded picture into the overview and slices of its {@link SliceLayout}, as MiniCPM-V's
 * {@code slice_image} does: the overview is the picture resized on its own; slices are crops of the
 * picture resized once to the refined size (not resized one by one, which would change the pixels
 * at slice borders). Thread-safe.
 */
public final class ImageSlicer {

    private final SlicePlanner planner;
    private final PillowBicubicResampler resampler;

    public ImageSlicer(SliceConfig config) {
        this(new SlicePlanner(config), new PillowBicubicResampler());
    }

    public ImageSlicer(SlicePlanner planner, PillowBicubicResampler resampler) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.resampler = Objects.requireNonNull(resampler, "resampler");
    }

    public SlicedImage slice(RgbImage image) {
        SliceLayout layout = planner.plan(new ImageSize(image.width(), image.height()));
        if (!layout.isSliced()) {
            return new SlicedImage(layout, List.of(resampler.resize(image, layout.overview())));
        }
        List<RgbImage> resized =
                resampler.resizeAll(image, List.of(layout.overview(), layout.refined()));
        List<RgbImage> images = new ArrayList<>(layout.imageCount());
        images.add(resized.get(0));
        RgbImage refined = resized.get(1);
        int sliceWidth = layout.slice().width();
        int sliceHeight = layout.slice().height();
        for (int row = 0; row < layout.grid().rows(); row++) {
            for (int col = 0; col < layout.grid().cols(); col++) {
                images.add(
                        refined.crop(col * sliceWidth, row * sliceHeight, sliceWidth, sliceHeight));
            }
        }
        return new SlicedImage(layout, images);
    }
}
