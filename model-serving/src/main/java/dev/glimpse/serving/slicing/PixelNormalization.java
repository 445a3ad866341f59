package dev.glimpse.serving.slicing;

/**
 * Per-channel {@code (u8 / 255 - mean) / std}, in float32 like the HF processor (numpy float32
 * arrays throughout). Immutable; lookups are precomputed for the 256 byte values.
 *
 * @param mean per-channel mean, R G B
 * @param std per-channel standard deviation, R G B, all positive
 */
public record PixelNormalization(float[] mean, float[] std) {

    /** MiniCPM-V: mean = std = 0.5, mapping bytes to [-1, 1]. */
    public static final PixelNormalization MINICPM_V =
            new PixelNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});

    public PixelNormalization {
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std must each have 3 values (R, G, B)");
        }
        mean = mean.clone();
        std = std.clone();
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException(
                        "std must be positive and finite and mean finite, got mean["
                                + c
                                + "]="
                                + mean[c]
                                + ", std["
                                + c
                                + "]="
                                + std[c]);
            }
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * The normalised values of a channel-planar uint8 strip (R plane, G plane, B plane, as {@link
     * PatchPacker#packBytes} lays them out): exactly what {@link PatchPacker#pack} computes.
     */
    public float[] normalizeStrip(byte[] strip) {
        if (strip.length % 3 != 0) {
            throw new IllegalArgumentException(
                    "a strip holds 3 equal channel planes; length " + strip.length + " is not");
        }
        return normalizePlanar(strip, lookupTables());
    }

    static float[] normalizePlanar(byte[] strip, float[][] lut) {
        int plane = strip.length / 3;
        float[] out = new float[strip.length];
        for (int c = 0; c < 3; c++) {
            float[] l = lut[c];
            for (int i = c * plane, end = i + plane; i < end; i++) {
                out[i] = l[strip[i] & 0xff];
            }
        }
        return out;
    }

    /** (3, 256) lookup: the normalised value of every byte per channel. */
    float[][] lookupTables() {
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = ((float) v / 255f - mean[c]) / std[c];
            }
        }
        return lut;
    }
}
