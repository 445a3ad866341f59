package dev.glimpse.serving.image;

/**
 * The EXIF/TIFF Orientation tag (0x0112) and the transform that shows the picture upright, with the
 * same meaning as Pillow's {@code ImageOps.exif_transpose}.
 */
public enum ExifOrientation {
    /** 1: stored upright. */
    NORMAL(1),
    /** 2: mirrored left-right. */
    MIRROR_HORIZONTAL(2),
    /** 3: rotated 180 degrees. */
    ROTATE_180(3),
    /** 4: mirrored top-bottom. */
    MIRROR_VERTICAL(4),
    /** 5: transposed (mirrored along the main diagonal). */
    TRANSPOSE(5),
    /** 6: stored rotated; display rotates 90 degrees clockwise. */
    ROTATE_90_CW(6),
    /** 7: transversed (mirrored along the anti-diagonal). */
    TRANSVERSE(7),
    /** 8: stored rotated; display rotates 90 degrees counter-clockwise. */
    ROTATE_90_CCW(8);

    private final int tagValue;

    ExifOrientation(int tagValue) {
        this.tagValue = tagValue;
    }

    public int tagValue() {
        return tagValue;
    }

    /** The orientation for a tag value; unknown values (0, 9, ...) mean {@link #NORMAL}. */
    public static ExifOrientation fromTag(int value) {
        for (ExifOrientation o : values()) {
            if (o.tagValue == value) {
                return o;
            }
        }
        return NORMAL;
    }

    /** Whether displaying swaps width and height. */
    public boolean swapsSides() {
        return tagValue >= 5;
    }

    /** The picture as displayed; returns {@code stored} itself for {@link #NORMAL}. */
    public RgbImage apply(RgbImage stored) {
        if (this == NORMAL) {
            return stored;
        }
        int w = stored.width();
        int h = stored.height();
        int outW = swapsSides() ? h : w;
        int outH = swapsSides() ? w : h;
        byte[] in = stored.pixels();
        byte[] out = new byte[in.length];
        int o = 0;
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int src = sourceIndex(x, y, w, h);
                out[o++] = in[src];
                out[o++] = in[src + 1];
                out[o++] = in[src + 2];
            }
        }
        return RgbImage.wrap(outW, outH, out);
    }

    /** Byte offset in the stored picture ({@code w x h}) of displayed pixel {@code (x, y)}. */
    private int sourceIndex(int x, int y, int w, int h) {
        int sx;
        int sy;
        switch (this) {
            case MIRROR_HORIZONTAL -> {
                sx = w - 1 - x;
                sy = y;
            }
            case ROTATE_180 -> {
                sx = w - 1 - x;
                sy = h - 1 - y;
            }
            case MIRROR_VERTICAL -> {
                sx = x;
                sy = h - 1 - y;
            }
            case TRANSPOSE -> {
                sx = y;
                sy = x;
            }
            case ROTATE_90_CW -> {
                sx = y;
                sy = h - 1 - x;
            }
            case TRANSVERSE -> {
                sx = w - 1 - y;
                sy = h - 1 - x;
            }
            case ROTATE_90_CCW -> {
                sx = w - 1 - y;
                sy = x;
            }
            default -> {
                sx = x;
                sy = y;
            }
        }
        return (sy * w + sx) * RgbImage.CHANNELS;
    }
}
