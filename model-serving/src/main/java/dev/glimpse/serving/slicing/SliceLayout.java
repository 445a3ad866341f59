package dev.glimpse.serving.slicing;

import java.util.Objects;
import java.util.Optional;

/**
 * The plan for one picture: an overview and, if the picture is large enough, a grid of equally
 * sized slices cut from the picture resized to {@code refined}.
 *
 * <p>Encoder inputs come in the order overview, then slices row-major. Every size is a multiple of
 * the patch size. Immutable.
 *
 * @param source the decoded picture's size
 * @param overview the whole picture resized (the first encoder input)
 * @param grid slice grid, or {@code null} when the picture is not sliced
 * @param slice size of each slice, or {@code null} when not sliced
 * @param refined size the picture is resized to before cutting, {@code grid} x {@code slice}, or
 *     {@code null} when not sliced
 */
public record SliceLayout(
        ImageSize source, ImageSize overview, SliceGrid grid, ImageSize slice, ImageSize refined) {

    public SliceLayout {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(overview, "overview");
        boolean sliced = grid != null;
        if (sliced != (slice != null) || sliced != (refined != null)) {
            throw new IllegalArgumentException(
                    "grid, slice and refined must be all set or all null, got grid="
                            + grid
                            + ", slice="
                            + slice
                            + ", refined="
                            + refined);
        }
        if (sliced
                && (refined.width() != slice.width() * grid.cols()
                        || refined.height() != slice.height() * grid.rows())) {
            throw new IllegalArgumentException(
                    "refined size must be grid x slice, got refined="
                            + refined
                            + ", grid="
                            + grid
                            + ", slice="
                            + slice);
        }
    }

    /** An unsliced layout: only the overview. */
    public static SliceLayout unsliced(ImageSize source, ImageSize overview) {
        return new SliceLayout(source, overview, null, null, null);
    }

    public Optional<SliceGrid> optionalGrid() {
        return Optional.ofNullable(grid);
    }

    public boolean isSliced() {
        return grid != null;
    }

    /** Slices, not counting the overview (0 when unsliced). */
    public int sliceCount() {
        return grid == null ? 0 : grid.sliceCount();
    }

    /** Encoder inputs: the overview plus the slices. */
    public int imageCount() {
        return 1 + sliceCount();
    }

    /** LLM positions filled with vision rows: (1 + slices) x queries per image. */
    public int visualTokens(int queriesPerImage) {
        if (queriesPerImage < 1) {
            throw new IllegalArgumentException(
                    "queriesPerImage must be at least 1, got " + queriesPerImage);
        }
        return imageCount() * queriesPerImage;
    }
}
