package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ImageSlice;
import dev.glimpse.serving.slicing.PixelNormalization;
import java.util.ArrayList;
import java.util.List;

/**
 * A prepared image with its patch strips still as uint8 bytes (overview first, then slices
 * row-major): a quarter of the size of the {@link EngineImage} it becomes, for holding images in
 * flight (checkpoint state, operator hand-offs). Arrays are not copied; treat them as read-only.
 *
 * @param contentHash keys the encoder and prefix caches (pixels and slicing settings)
 * @param strips per encoder input: the channel-planar uint8 strip (3, patch, L*patch)
 * @param patchRows per encoder input: height in patches
 * @param patchCols per encoder input: width in patches
 * @param gridRows slice grid rows (0 when not sliced)
 * @param gridCols slice grid columns (0 when not sliced)
 */
public record PackedImage(
        String contentHash,
        byte[][] strips,
        int[] patchRows,
        int[] patchCols,
        int gridRows,
        int gridCols) {

    public PackedImage {
        if (strips.length == 0
                || strips.length != patchRows.length
                || strips.length != patchCols.length) {
            throw new IllegalArgumentException(
                    "strips, patchRows and patchCols must be non-empty and of one length, were "
                            + strips.length
                            + ", "
                            + patchRows.length
                            + ", "
                            + patchCols.length);
        }
    }

    /** The engine's image: every strip normalised with {@code normalization}. */
    public EngineImage toEngineImage(PixelNormalization normalization) {
        List<ImageSlice> slices = new ArrayList<>(strips.length);
        for (int i = 0; i < strips.length; i++) {
            slices.add(
                    new ImageSlice(
                            normalization.normalizeStrip(strips[i]), patchRows[i], patchCols[i]));
        }
        return new EngineImage(contentHash, slices, gridRows, gridCols);
    }
}
