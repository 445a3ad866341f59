package dev.glimpse.serving.image;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;

/**
 * Validates a PNG's chunk structure before the JDK reader sees it, and strips what the pipeline
 * does not use.
 *
 * <p>Why: the JDK PNG reader never checks chunk CRCs (PngSuite {@code xcsn0g01}, {@code xhdn0g08},
 * libpng's {@code badcrc.png} decode without complaint), and it fails on harmless zero-length
 * ancillary chunks that libpng accepts. This scan checks every chunk's length against the bytes
 * present (so a chunk claiming 1 GiB is rejected without allocating it) and its CRC, requires IHDR
 * first, at least one IDAT and an IEND, and rejects unknown critical chunks. The returned stream
 * keeps only IHDR, PLTE, IDAT and IEND: ancillary chunks (tRNS, gAMA, iCCP, text) do not change the
 * RGB pixels MiniCPM-V sees, since it converts with PIL's {@code .convert("RGB")}, which ignores
 * them. The eXIf orientation is read on the way.
 */
final class PngChunkScanner {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /**
     * @param width IHDR width in pixels
     * @param height IHDR height in pixels
     * @param orientation from an eXIf chunk, NORMAL if none
     * @param criticalChunks signature + IHDR, PLTE, IDAT..., IEND (CRCs verified)
     * @param paletteEntries entries of the PLTE chunk of an indexed-colour PNG (IHDR colour type
     *     3), else {@link Integer#MAX_VALUE}: the JDK reader pads a short palette up to 2^bit depth
     *     entries, so the decoder checks pixel indices against this count instead
     */
    record Scan(
            int width,
            int height,
            ExifOrientation orientation,
            byte[] criticalChunks,
            int paletteEntries) {}

    private static final int INDEXED_COLOUR = 3;

    private PngChunkScanner() {}

    static boolean hasSignature(byte[] b) {
        if (b.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    static Scan scan(byte[] b, String label) throws ImageRejectedException {
        ByteArrayOutputStream critical = new ByteArrayOutputStream(b.length);
        critical.write(SIGNATURE, 0, SIGNATURE.length);
        CRC32 crc = new CRC32();
        int pos = SIGNATURE.length;
        int width = -1;
        int height = -1;
        boolean sawIdat = false;
        int colourType = -1;
        int paletteEntries = Integer.MAX_VALUE;
        ExifOrientation orientation = ExifOrientation.NORMAL;
        while (true) {
            if (b.length - pos < 12) {
                throw new ImageRejectedException(
                        RejectionReason.TRUNCATED,
                        label,
                        "PNG ends after "
                                + b.length
                                + " bytes inside a chunk header; expected chunks up to IEND");
            }
            long length = readU32(b, pos);
            String type = chunkType(b, pos + 4, label);
            int data = pos + 8;
            if (length > b.length - data - 4L) {
                throw new ImageRejectedException(
                        RejectionReason.TRUNCATED,
                        label,
                        "PNG chunk "
                                + type
                                + " at byte "
                                + pos
                                + " declares "
                                + length
                                + " data bytes but only "
                                + Math.max(0, b.length - data - 4)
                                + " remain");
            }
            int end = data + (int) length;
            crc.reset();
            crc.update(b, pos + 4, 4 + (int) length);
            if (crc.getValue() != readU32(b, end)) {
                throw new ImageRejectedException(
                        RejectionReason.CORRUPT,
                        label,
                        "PNG chunk "
                                + type
                                + " at byte "
                                + pos
                                + " has CRC "
                                + Long.toHexString(readU32(b, end))
                                + ", expected "
                                + Long.toHexString(crc.getValue()));
            }
            boolean first = pos == SIGNATURE.length;
            if (first != type.equals("IHDR")) {
                throw new ImageRejectedException(
                        RejectionReason.CORRUPT,
                        label,
                        "PNG chunk " + type + " at byte " + pos + "; expected IHDR first and once");
            }
            switch (type) {
                case "IHDR" -> {
                    if (length != 13) {
                        throw new ImageRejectedException(
                                RejectionReason.CORRUPT,
                                label,
                                "PNG IHDR has " + length + " data bytes, expected 13");
                    }
                    long w = readU32(b, data);
                    long h = readU32(b, data + 4);
                    if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                        throw new ImageRejectedException(
                                RejectionReason.CORRUPT,
                                label,
                                "PNG IHDR size " + w + "x" + h + " exceeds the format's 2^31-1");
                    }
                    width = (int) w;
                    height = (int) h;
                    colourType = b[data + 9] & 0xff;
                }
                case "PLTE" -> paletteEntries = (int) length / 3;
                case "IDAT" -> sawIdat = true;
                case "eXIf" -> orientation = OrientationReader.fromExifPayload(b, data, end);
                default -> {}
            }
            boolean ancillary = (b[pos + 4] & 0x20) != 0;
            if (!ancillary && !isKnownCritical(type)) {
                throw new ImageRejectedException(
                        RejectionReason.UNSUPPORTED_FORMAT,
                        label,
                        "PNG has unknown critical chunk "
                                + type
                                + "; expected only IHDR, PLTE, IDAT, IEND");
            }
            if (!ancillary) {
                critical.write(b, pos, end + 4 - pos);
            }
            pos = end + 4;
            if (type.equals("IEND")) {
                break;
            }
        }
        if (!sawIdat) {
            throw new ImageRejectedException(
                    RejectionReason.CORRUPT, label, "PNG has no IDAT chunk; expected image data");
        }
        return new Scan(
                width,
                height,
                orientation,
                critical.toByteArray(),
                colourType == INDEXED_COLOUR ? paletteEntries : Integer.MAX_VALUE);
    }

    private static boolean isKnownCritical(String type) {
        return switch (type) {
            case "IHDR", "PLTE", "IDAT", "IEND" -> true;
            default -> false;
        };
    }

    private static String chunkType(byte[] b, int pos, String label) throws ImageRejectedException {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int v = b[pos + i] & 0xff;
            boolean letter = (v >= 'A' && v <= 'Z') || (v >= 'a' && v <= 'z');
            if (!letter) {
                throw new ImageRejectedException(
                        RejectionReason.CORRUPT,
                        label,
                        "PNG chunk type at byte "
                                + pos
                                + " is not four ASCII letters (byte 0x"
                                + Integer.toHexString(v)
                                + ")");
            }
            c[i] = (char) v;
        }
        return new String(c);
    }

    private static long readU32(byte[] b, int pos) {
        return (b[pos] & 0xffL) << 24
                | (b[pos + 1] & 0xffL) << 16
                | (b[pos + 2] & 0xffL) << 8
                | (b[pos + 3] & 0xffL);
    }
}
