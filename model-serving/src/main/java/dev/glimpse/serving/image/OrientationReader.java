package dev.glimpse.serving.image;

/**
 * Finds the EXIF Orientation tag in JPEG (APP1 "Exif"), PNG (eXIf), WebP (EXIF chunk) and TIFF
 * (IFD0) files without decoding them.
 *
 * <p>Metadata is often damaged while the pixels are fine (e.g. Pillow's {@code
 * hopper_bad_exif.jpg}), so every malformed or out-of-bounds structure reads as {@link
 * ExifOrientation#NORMAL} instead of failing. All reads are bounds-checked against the array.
 */
final class OrientationReader {

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;

    private OrientationReader() {}

    static ExifOrientation fromJpeg(byte[] b) {
        int pos = 2; // after SOI
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xff) != 0xff) {
                return ExifOrientation.NORMAL; // not at a marker: stop looking
            }
            int marker = b[pos + 1] & 0xff;
            if (marker == 0xff) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                return ExifOrientation.NORMAL; // start of scan / end of image: no EXIF before
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                pos += 2; // markers without a length
                continue;
            }
            int length = u16(b, pos + 2, false);
            int data = pos + 4;
            if (length < 2 || data + length - 2 > b.length) {
                return ExifOrientation.NORMAL;
            }
            if (marker == 0xe1 && length >= 8 && startsWith(b, data, "Exif\0\0")) {
                return fromTiff(b, data + 6, data + length - 2);
            }
            pos = data + length - 2;
        }
        return ExifOrientation.NORMAL;
    }

    /** PNG eXIf chunk contents (a TIFF structure), {@code [from, to)} in {@code b}. */
    static ExifOrientation fromExifPayload(byte[] b, int from, int to) {
        if (startsWith(b, from, "Exif\0\0")) {
            from += 6; // some writers keep the JPEG APP1 prefix
        }
        return fromTiff(b, from, to);
    }

    static ExifOrientation fromWebp(byte[] b) {
        int pos = 12; // "RIFF" size "WEBP"
        while (pos + 8 <= b.length) {
            long size = u32(b, pos + 4, true);
            int data = pos + 8;
            if (size > b.length - data) {
                return ExifOrientation.NORMAL;
            }
            if (startsWith(b, pos, "EXIF")) {
                return fromExifPayload(b, data, data + (int) size);
            }
            pos = data + (int) size + (int) (size & 1); // chunks are padded to even sizes
        }
        return ExifOrientation.NORMAL;
    }

    static ExifOrientation fromTiffFile(byte[] b) {
        return fromTiff(b, 0, b.length);
    }

    /** Reads IFD0 of the TIFF structure in {@code [start, end)}; offsets are relative to start. */
    private static ExifOrientation fromTiff(byte[] b, int start, int end) {
        if (start < 0 || end > b.length || end - start < 8) {
            return ExifOrientation.NORMAL;
        }
        boolean little;
        if (b[start] == 'I' && b[start + 1] == 'I') {
            little = true;
        } else if (b[start] == 'M' && b[start + 1] == 'M') {
            little = false;
        } else {
            return ExifOrientation.NORMAL;
        }
        if (u16(b, start + 2, little) != 42) {
            return ExifOrientation.NORMAL; // also excludes BigTIFF (43)
        }
        long ifd = u32(b, start + 4, little);
        if (ifd < 8 || ifd > end - start - 2) {
            return ExifOrientation.NORMAL;
        }
        int entries = u16(b, start + (int) ifd, little);
        int entry = start + (int) ifd + 2;
        for (int i = 0; i < entries && entry + 12 <= end; i++, entry += 12) {
            if (u16(b, entry, little) == ORIENTATION_TAG) {
                if (u16(b, entry + 2, little) != TYPE_SHORT || u32(b, entry + 4, little) != 1) {
                    return ExifOrientation.NORMAL;
                }
                return ExifOrientation.fromTag(u16(b, entry + 8, little));
            }
        }
        return ExifOrientation.NORMAL;
    }

    private static boolean startsWith(byte[] b, int pos, String ascii) {
        if (pos < 0 || pos + ascii.length() > b.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[pos + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int pos, boolean little) {
        int b0 = b[pos] & 0xff;
        int b1 = b[pos + 1] & 0xff;
        return little ? b0 | b1 << 8 : b0 << 8 | b1;
    }

    private static long u32(byte[] b, int pos, boolean little) {
        long hi = u16(b, pos + (little ? 2 : 0), little);
        long lo = u16(b, pos + (little ? 0 : 2), little);
        return hi << 16 | lo;
    }
}
