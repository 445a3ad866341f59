package dev.glimpse.serving.engine;

import java.util.List;

/**
 * A preprocessed image: the overview slice first, then the grid slices row-major (the order of both
 * the pixel tensors and the prompt placeholders).
 *
 * @param contentHash hash of the image content; keys the encoder cache and the prefix-cache blocks
 *     covering this image's placeholder tokens
 * @param slices overview, then {@code gridRows * gridCols} slices row-major
 * @param gridRows slice grid rows (0 when the image is not sliced)
 * @param gridCols slice grid columns (0 when the image is not sliced)
 */
public record EngineImage(String contentHash, List<ImageSlice> slices, int gridRows, int gridCols) {
    public EngineImage {
        if (contentHash == null || contentHash.isEmpty()) {
            throw new IllegalArgumentException("contentHash must be non-empty");
        }
        if (gridRows < 0 || gridCols < 0 || (gridRows == 0) != (gridCols == 0)) {
            throw new IllegalArgumentException(
                    "grid must be 0x0 (unsliced) or positive, got " + gridRows + "x" + gridCols);
        }
        slices = List.copyOf(slices);
        if (slices.size() != 1 + gridRows * gridCols) {
            throw new IllegalArgumentException(
                    "slices must hold 1 + gridRows*gridCols = "
                            + (1 + gridRows * gridCols)
                            + " entries, got "
                            + slices.size());
        }
    }

    /** Overview only, no slicing. */
    public static EngineImage unsliced(String contentHash, ImageSlice overview) {
        return new EngineImage(contentHash, List.of(overview), 0, 0);
    }
}
