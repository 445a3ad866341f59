package dev.glimpse.serving.engine;

/**
 * One preprocessed image slice (the overview or one grid cell) as the vision graph wants it.
 *
 * @param pixels normalised patch strip, {@code [3, 14, patchRows * patchCols * 14]} row-major
 * @param patchRows height of the slice in patches (tgt_size h)
 * @param patchCols width of the slice in patches (tgt_size w)
 */
public record ImageSlice(float[] pixels, int patchRows, int patchCols) {
    public static final int PATCH = 14;

    public ImageSlice {
        if (patchRows <= 0 || patchCols <= 0) {
            throw new IllegalArgumentException(
                    "patchRows and patchCols must be > 0, got " + patchRows + "x" + patchCols);
        }
        long expected = 3L * PATCH * PATCH * patchRows * patchCols;
        if (pixels == null || pixels.length != expected) {
            throw new IllegalArgumentException(
                    "pixels must hold 3*14*14*patchRows*patchCols = "
                            + expected
                            + " floats, got "
                            + (pixels == null ? "null" : pixels.length));
        }
    }

    /** Number of patches L of this slice. */
    public int numPatches() {
        return patchRows * patchCols;
    }
}
