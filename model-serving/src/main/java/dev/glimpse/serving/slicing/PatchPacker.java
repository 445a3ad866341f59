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
        float[] out = new float[3 * p * stripWidth];
        byte[] px = image.pixels();
        int width = image.width();
        float[] lr = lut[0];
        float[] lg = lut[1];
        float[] lb = lut[2];
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
                out[o] = lr[px[in] & 0xff];
                out[plane + o] = lg[px[in + 1] & 0xff];
                out[2 * plane + o] = lb[px[in + 2] & 0xff];
            }
        }
        return new PatchStrip(out, p, hp, wp);
    }
}
