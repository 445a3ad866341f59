package dev.glimpse.serving.slicing;

/**
 * Parameters of MiniCPM-V adaptive slicing.
 *
 * <p>MiniCPM-V 2.5/2.6 use {@link #MINICPM_V} (448 px, 14 px patches, up to 9 slices). The bundled
 * small model uses a 112 px scale resolution; per task the slice budget changes too (camera
 * captions 1-2 slices, OCR up to 9). Immutable and thread-safe.
 *
 * @param scaleResolution ViT pre-training side in pixels (S); overview and slices have an area of
 *     about S²
 * @param patchSize ViT patch side in pixels (P); every output side is a multiple of it
 * @param maxSlices upper bound on slices per image (not counting the overview); 1 disables slicing
 */
public record SliceConfig(int scaleResolution, int patchSize, int maxSlices) {

    /** The MiniCPM-V 2.5/2.6/4.x preprocessor defaults: 448, 14, 9. */
    public static final SliceConfig MINICPM_V = new SliceConfig(448, 14, 9);

    // S² must fit an int and sides must stay well below 2^31 after the upscale of thin strips.
    private static final int MAX_SCALE_RESOLUTION = 4096;

    public SliceConfig {
        if (scaleResolution < 1 || scaleResolution > MAX_SCALE_RESOLUTION) {
            throw new IllegalArgumentException(
                    "scaleResolution must be in [1, "
                            + MAX_SCALE_RESOLUTION
                            + "] pixels, got "
                            + scaleResolution);
        }
        if (patchSize < 1 || patchSize > scaleResolution) {
            throw new IllegalArgumentException(
                    "patchSize must be in [1, scaleResolution="
                            + scaleResolution
                            + "] pixels, got "
                            + patchSize);
        }
        if (maxSlices < 1) {
            throw new IllegalArgumentException("maxSlices must be at least 1, got " + maxSlices);
        }
    }

    /** A copy with another slice budget (e.g. per task). */
    public SliceConfig withMaxSlices(int newMaxSlices) {
        return new SliceConfig(scaleResolution, patchSize, newMaxSlices);
    }
}
