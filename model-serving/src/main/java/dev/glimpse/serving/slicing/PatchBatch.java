package dev.glimpse.serving.slicing;

import java.util.List;

/**
 * Strips of several encoder inputs right-padded with zeros to the longest, as the MiniCPM-V model
 * batches them before the vision encoder.
 *
 * @param pixelValues (batch, 3, P, maxPatches * P) floats; padding is 0
 * @param targetSizes (batch, 2) {@code tgt_sizes}: Hp, Wp per input
 * @param patchMask (batch, maxPatches) true for real patches, false for padding
 * @param batch number of inputs
 * @param maxPatches the longest L in the batch
 * @param patchSize P in pixels
 */
public record PatchBatch(
        float[] pixelValues,
        int[] targetSizes,
        boolean[] patchMask,
        int batch,
        int maxPatches,
        int patchSize) {

    /** Pads {@code strips} (at least one, same patch size) into one batch. */
    public static PatchBatch pad(List<PatchStrip> strips) {
        if (strips.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one strip, got none");
        }
        int p = strips.get(0).patchSize();
        int maxPatches = 0;
        for (PatchStrip s : strips) {
            if (s.patchSize() != p) {
                throw new IllegalArgumentException(
                        "all strips must share patch size " + p + ", got " + s.patchSize());
            }
            maxPatches = Math.max(maxPatches, s.patches());
        }
        int b = strips.size();
        int width = maxPatches * p;
        float[] values = new float[Math.multiplyExact(b, 3 * p * width)];
        int[] sizes = new int[b * 2];
        boolean[] mask = new boolean[b * maxPatches];
        for (int i = 0; i < b; i++) {
            PatchStrip s = strips.get(i);
            int stripWidth = s.patches() * p;
            for (int row = 0; row < 3 * p; row++) { // (channel, row) pairs
                System.arraycopy(
                        s.data(), row * stripWidth, values, (i * 3 * p + row) * width, stripWidth);
            }
            sizes[2 * i] = s.heightPatches();
            sizes[2 * i + 1] = s.widthPatches();
            java.util.Arrays.fill(mask, i * maxPatches, i * maxPatches + s.patches(), true);
        }
        return new PatchBatch(values, sizes, mask, b, maxPatches, p);
    }
}
