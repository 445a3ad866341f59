package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;
import java.util.Objects;

/**
 * Normalises an overview or slice and packs it into a {@link PatchStrip}. Stateless after
 * construction and thread-safe.
 */
public final class PatchPacker {

    private final int patchSize;
    private final float[][] lut; // (3, 256) normalised value per channel and byte

    public PatchPacker(int patchSize, PixelNormalization normalization) {
        if (patchSize < 1) {
            throw new IllegalArgumentException("patchSize must be at least 1, got " + patchSize);
        }
        this.patchSize = patchSize;
        this.lut = Objects.requireNonNull(normalization, "normalization").lookupTables();
    }

    /** Packs {@code image}, whose sides must be multiples of the patch size. */
    public PatchStrip pack(RgbImage image) {
        byte[] strip = packBytes(image);
        int p = patchSize;
        return new PatchStrip(
                PixelNormalization.normalizePlanar(strip, lut),
                p,
                image.height() / p,
                image.width() / p);
    }

    /**
     * The strip of {@code image} before normalisation: uint8, channel-planar, in {@link
     * PatchStrip}'s layout (a quarter of the float strip's bytes; {@link
     * PixelNormalization#normalizeStrip} turns it into exactly {@link #pack}'s values).
     */
    public byte[] packBytes(RgbImage image) {
        int p = patchSize;
        if (image.width() % p != 0 || image.height() % p != 0) {
            throw new IllegalArgumentException(
                    "image "
                            + image.width()
                            + "x"
                            + image.height()
                            + " must have sides that are multiples of the patch size "
                            + p);
        }
        int wp = image.width() / p;
        int hp = image.height() / p;
        int stripWidth = hp * wp * p; // L * P
        byte[] out = new byte[3 * p * stripWidth];
        byte[] px = image.pixels();
        int width = image.width();
        int plane = p * stripWidth;
        for (int y = 0; y < image.height(); y++) {
            int row = y % p; // row inside the patch
            int patchRowBase = (y / p) * wp; // index of the first patch in this patch row
            int in = y * width * 3;
            int outRow = row * stripWidth + patchRowBase * p;
            // Along x the patches of one patch row are contiguous in the strip: column x of the
            // picture lands at (patchRowBase + x / P) * P + x % P = patchRowBase * P + x.
            for (int x = 0; x < width; x++, in += 3) {
                int o = outRow + x;
                out[o] = px[in];
                out[plane + o] = px[in + 1];
                out[2 * plane + o] = px[in + 2];
            }
        }
        return out;
    }
}
