package dev.glimpse.serving.image;

/**
 * Rejects a BMP whose file is too short for what its header declares, before a reader allocates
 * from that header: a pixel-data offset past the end of the file, or (uncompressed) fewer bytes
 * than its rows need.
 *
 * <p>Why: the BMP readers size the palette from the pixel-data offset and allocate the whole
 * picture from the header, then hit the end of the data; a 70-byte file with an offset of 1.3 GB
 * made the reader allocate and zero that much (found by ImageParsingFuzzTest as a slow input), and
 * one claiming the maximum size costs the largest allowed raster. Uncompressed rows have a fixed
 * size, so the length the pixels need is known from the header; RLE and embedded JPEG/PNG data are
 * compressed and left to the reader.
 */
final class BmpSizeCheck {

    private static final int CORE_HEADER = 12;
    private static final int INFO_HEADER = 40;

    private BmpSizeCheck() {}

    static boolean hasSignature(byte[] b) {
        return b.length >= 2 && b[0] == 'B' && b[1] == 'M';
    }

    /** The decoder's check of declared dimensions against its limits. */
    interface DeclaredSize {
        void check(int width, int height) throws ImageRejectedException;
    }

    /**
     * Rejects a BMP whose pixel data starts past its end, whose declared size fails {@code
     * declaredSize} (checked before the pixel data, as for PNG), or whose uncompressed pixels need
     * more bytes than it has.
     */
    static void check(byte[] b, String label, DeclaredSize declaredSize)
            throws ImageRejectedException {
        if (b.length < 14 + 4) {
            return; // the reader reports the short header
        }
        long offset = u32(b, 10);
        if (offset > b.length) {
            // the readers size the palette from the offset: a few bytes could claim gigabytes
            throw new ImageRejectedException(
                    RejectionReason.TRUNCATED,
                    label,
                    "BMP pixel data starts at byte "
                            + offset
                            + ", past the end of its "
                            + b.length
                            + " bytes");
        }
        long headerSize = u32(b, 14);
        long width;
        long height;
        int bitCount;
        long compression;
        if (headerSize == CORE_HEADER && b.length >= 26) {
            width = u16(b, 18);
            height = u16(b, 20);
            bitCount = u16(b, 24);
            compression = 0;
        } else if (headerSize >= INFO_HEADER && b.length >= 34) {
            width = (int) u32(b, 18);
            height = Math.abs((long) (int) u32(b, 22)); // negative: stored top-down
            bitCount = u16(b, 28);
            compression = u32(b, 30);
        } else {
            return;
        }
        if (width > 0 && height > 0) {
            declaredSize.check(
                    (int) Math.min(width, Integer.MAX_VALUE),
                    (int) Math.min(height, Integer.MAX_VALUE));
        }
        boolean uncompressed = compression == 0 || compression == 3 || compression == 6;
        boolean knownDepth =
                bitCount == 1
                        || bitCount == 4
                        || bitCount == 8
                        || bitCount == 16
                        || bitCount == 24
                        || bitCount == 32;
        if (!uncompressed || !knownDepth || width <= 0 || height <= 0) {
            return;
        }
        long rowBytes = (bitCount * width + 31) / 32 * 4;
        long needed = offset + rowBytes * height;
        if (needed > b.length) {
            throw new ImageRejectedException(
                    RejectionReason.TRUNCATED,
                    label,
                    "BMP declares "
                            + width
                            + "x"
                            + height
                            + " pixels at "
                            + bitCount
                            + " bits, "
                            + needed
                            + " bytes with its header, but has "
                            + b.length);
        }
    }

    private static long u32(byte[] b, int pos) {
        return (b[pos] & 0xffL)
                | (b[pos + 1] & 0xffL) << 8
                | (b[pos + 2] & 0xffL) << 16
                | (b[pos + 3] & 0xffL) << 24;
    }

    private static int u16(byte[] b, int pos) {
        return (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
    }
}
