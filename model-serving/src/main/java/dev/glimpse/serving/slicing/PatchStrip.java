package dev.glimpse.serving.slicing;

/**
 * One encoder input packed as MiniCPM-V's {@code reshape_by_patch} does: a {@code (3, P, L*P)}
 * float tensor whose L = Hp x Wp patches (row-major over the picture) stand side by side.
 *
 * <pre>
 * picture (Hp x Wp patches)       strip (3, P, L*P)
 * +----+----+----+                +----+----+----+----+----+----+
 * | p0 | p1 | p2 |        -->     | p0 | p1 | p2 | p3 | p4 | p5 |
 * +----+----+----+                +----+----+----+----+----+----+
 * | p3 | p4 | p5 |
 * +----+----+----+
 * </pre>
 *
 * The array is shared, not copied: treat it as read-only.
 *
 * @param data (3, patchSize, patches * patchSize) normalised floats, channel-major
 * @param patchSize P in pixels
 * @param heightPatches Hp (first of {@code tgt_sizes})
 * @param widthPatches Wp (second of {@code tgt_sizes})
 */
public record PatchStrip(float[] data, int patchSize, int heightPatches, int widthPatches) {

    public PatchStrip {
        if (patchSize < 1 || heightPatches < 1 || widthPatches < 1) {
            throw new IllegalArgumentException(
                    "patchSize, heightPatches and widthPatches must be at least 1, got "
                            + patchSize
                            + ", "
                            + heightPatches
                            + ", "
                            + widthPatches);
        }
        long expected = 3L * patchSize * patchSize * heightPatches * widthPatches;
        if (data == null || data.length != expected) {
            throw new IllegalArgumentException(
                    "strip data must hold 3 x "
                            + patchSize
                            + " x "
                            + (heightPatches * widthPatches)
                            + "*"
                            + patchSize
                            + " = "
                            + expected
                            + " floats, got "
                            + (data == null ? "null" : data.length));
        }
    }

    /** L, the number of patches. */
    public int patches() {
        return heightPatches * widthPatches;
    }
}
