package dev.glimpse.serving.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted encoded pictures (JPEG, PNG, BMP, GIF first frame, TIFF, WebP) into RGB,
 * applying the EXIF orientation, within {@link DecodeLimits}.
 *
 * <p>Contract: {@link #decode} either returns pixels or throws {@link ImageRejectedException}; no
 * other exception escapes for any input bytes. Sizes are checked from the header before the reader
 * allocates the raster. Readers (JDK + TwelveMonkeys, chosen by content, not by file name) report
 * truncation only as a warning, so truncation warnings reject the input; other warnings (e.g. "16
 * bit DQT encountered") are returned with the pixels. PNG chunks are CRC-checked first ({@link
 * PngChunkScanner}). Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {

    private static final String EXPECTED_FORMATS =
            "an encoded JPEG, PNG, BMP, GIF, TIFF or WebP image";

    private final DecodeLimits limits;
    private final boolean applyOrientation;

    public ImageDecoder(DecodeLimits limits) {
        this(limits, true);
    }

    /**
     * @param applyOrientation false: pixels as stored, the EXIF orientation only reported (what the
     *     MiniCPM-V reference processor sees; a model directory chooses, docs/real-model.md)
     */
    public ImageDecoder(DecodeLimits limits, boolean applyOrientation) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.applyOrientation = applyOrientation;
    }

    public DecodeLimits limits() {
        return limits;
    }

    /**
     * Decodes {@code encoded}; {@code inputLabel} names the input in rejection messages (a request
     * id, object key or file name).
     */
    public DecodedImage decode(byte[] encoded, String inputLabel) throws ImageRejectedException {
        return decode(encoded, inputLabel, 0);
    }

    /**
     * Decodes {@code encoded} as {@link #decode} does (same checks, same rejections) but reads only
     * every k-th pixel of every k-th row, with k the largest step that keeps the shorter side at
     * least {@code minSide} pixels (k = 1 for pictures that small already). The pixels are point
     * samples of the full decode, not a resampled picture: meant for perceptual hashes and
     * previews. A JPEG camera frame reads in about half the time (1280x720: 10-12 ms full, 4.6-5.7
     * ms at k = 5); a PNG gains less, its inflating dominates (docs/benchmarks.md).
     */
    public DecodedImage decodeThumbnail(byte[] encoded, String inputLabel, int minSide)
            throws ImageRejectedException {
        if (minSide < 1) {
            throw new IllegalArgumentException("minSide must be >= 1, got " + minSide);
        }
        return decode(encoded, inputLabel, minSide);
    }

    /** {@code thumbnailMinSide} 0: every pixel. */
    private DecodedImage decode(byte[] encoded, String inputLabel, int thumbnailMinSide)
            throws ImageRejectedException {
        Objects.requireNonNull(encoded, "encoded");
        String label = inputLabel == null ? "<unnamed input>" : inputLabel;
        if (encoded.length > limits.maxEncodedBytes()) {
            throw new ImageRejectedException(
                    RejectionReason.TOO_LARGE,
                    label,
                    encoded.length
                            + " encoded bytes; expected at most "
                            + limits.maxEncodedBytes());
        }
        if (encoded.length == 0) {
            throw new ImageRejectedException(
                    RejectionReason.UNSUPPORTED_FORMAT,
                    label,
                    "0 bytes; expected " + EXPECTED_FORMATS);
        }
        byte[] input = encoded;
        ExifOrientation orientation = ExifOrientation.NORMAL;
        int paletteEntries = Integer.MAX_VALUE;
        if (PngChunkScanner.hasSignature(encoded)) {
            PngChunkScanner.Scan scan = PngChunkScanner.scan(encoded, label);
            checkSize(scan.width(), scan.height(), scan.orientation(), label);
            input = scan.criticalChunks();
            orientation = scan.orientation();
            paletteEntries = scan.paletteEntries();
        } else if (BmpSizeCheck.hasSignature(encoded)) {
            BmpSizeCheck.check(
                    encoded, label, (w, h) -> checkSize(w, h, ExifOrientation.NORMAL, label));
        } else if (isJpeg(encoded)) {
            orientation = OrientationReader.fromJpeg(encoded);
        } else if (isWebp(encoded)) {
            orientation = OrientationReader.fromWebp(encoded);
            OptionalLong frame = WebpFrameHeader.keyFrameSize(encoded, label);
            if (frame.isPresent()) {
                checkSize(
                        (int) (frame.getAsLong() >>> 32),
                        (int) frame.getAsLong(),
                        orientation,
                        label);
            }
        } else if (isTiff(encoded)) {
            orientation = OrientationReader.fromTiffFile(encoded);
        }
        try {
            return read(input, orientation, label, thumbnailMinSide, paletteEntries);
        } catch (ImageRejectedException e) {
            throw e;
        } catch (OverrunLimitedInputStream.Overrun e) {
            throw new ImageRejectedException(
                    RejectionReason.TRUNCATED,
                    label,
                    e.getMessage() + "; expected a complete image",
                    e);
        } catch (EOFException e) {
            throw new ImageRejectedException(
                    RejectionReason.TRUNCATED,
                    label,
                    "data ends early (" + e + "); expected a complete image",
                    e);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            RejectionReason reason =
                    message.toLowerCase(Locale.ROOT).contains("unsupported")
                            ? RejectionReason.UNSUPPORTED_FORMAT
                            : RejectionReason.CORRUPT;
            throw new ImageRejectedException(
                    reason, label, "reader failed: " + e + "; expected " + EXPECTED_FORMATS, e);
        } catch (RuntimeException e) {
            // ImageIO plugins throw IllegalArgumentException, IndexOutOfBoundsException, ... on
            // hostile headers; they are bad input, not bugs of the caller.
            throw new ImageRejectedException(
                    RejectionReason.CORRUPT, label, "reader failed: " + e, e);
        } catch (OutOfMemoryError e) {
            // Only reachable through a reader allocating from unchecked metadata (sizes were
            // checked); the failed allocation is released, so the process can continue.
            throw new ImageRejectedException(
                    RejectionReason.TOO_MANY_PIXELS,
                    label,
                    "reader ran out of memory; expected at most " + limits.maxPixels() + " pixels",
                    e);
        }
    }

    /**
     * @param paletteEntries colours the file's own palette defines (PNG PLTE), when the reader's
     *     colour model may be longer than that; {@link Integer#MAX_VALUE} otherwise
     */
    private DecodedImage read(
            byte[] input,
            ExifOrientation orientation,
            String label,
            int thumbnailMinSide,
            int paletteEntries)
            throws IOException, ImageRejectedException {
        try (ImageInputStream stream = new OverrunLimitedInputStream(input)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new ImageRejectedException(
                        RejectionReason.UNSUPPORTED_FORMAT,
                        label,
                        "no reader recognises the content; expected " + EXPECTED_FORMATS);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream);
                String format = reader.getFormatName();
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkSize(width, height, orientation, label);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener(collectingTo(warnings));
                ImageReadParam param = reader.getDefaultReadParam();
                if (thumbnailMinSide > 0) {
                    int step = Math.max(1, Math.min(width, height) / thumbnailMinSide);
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                for (String warning : warnings) {
                    if (isTruncation(warning)) {
                        throw new ImageRejectedException(
                                RejectionReason.TRUNCATED,
                                label,
                                format
                                        + " reader warned \""
                                        + warning
                                        + "\"; expected complete data");
                    }
                }
                if (image.getColorModel() instanceof IndexColorModel icm) {
                    int maxIndex = RgbConverter.maxIndex(image.getRaster());
                    int entries = Math.min(icm.getMapSize(), paletteEntries);
                    if (maxIndex >= entries) {
                        throw new ImageRejectedException(
                                RejectionReason.CORRUPT,
                                label,
                                "pixel index "
                                        + maxIndex
                                        + " is past the "
                                        + entries
                                        + "-entry palette");
                    }
                }
                RgbImage rgb = RgbConverter.toRgb(image);
                RgbImage pixels = applyOrientation ? orientation.apply(rgb) : rgb;
                return new DecodedImage(pixels, format, orientation, warnings);
            } finally {
                reader.dispose();
            }
        }
    }

    private void checkSize(int storedWidth, int storedHeight, ExifOrientation o, String label)
            throws ImageRejectedException {
        int width = o.swapsSides() ? storedHeight : storedWidth;
        int height = o.swapsSides() ? storedWidth : storedHeight;
        String size = width + "x" + height;
        if (width < limits.minWidth() || height < limits.minHeight()) {
            throw new ImageRejectedException(
                    RejectionReason.TOO_SMALL,
                    label,
                    "size "
                            + size
                            + "; expected at least "
                            + limits.minWidth()
                            + "x"
                            + limits.minHeight());
        }
        if (width > limits.maxWidth() || height > limits.maxHeight()) {
            throw new ImageRejectedException(
                    RejectionReason.DIMENSION_TOO_LARGE,
                    label,
                    "size "
                            + size
                            + "; expected at most "
                            + limits.maxWidth()
                            + "x"
                            + limits.maxHeight());
        }
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new ImageRejectedException(
                    RejectionReason.TOO_MANY_PIXELS,
                    label,
                    "size "
                            + size
                            + " = "
                            + pixels
                            + " pixels; expected at most "
                            + limits.maxPixels());
        }
    }

    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("truncated") || w.contains("premature end") || w.contains("missing eoi");
    }

    private static IIOReadWarningListener collectingTo(List<String> warnings) {
        return (source, warning) -> warnings.add(String.valueOf(warning));
    }

    private static boolean isJpeg(byte[] b) {
        return b.length >= 3
                && (b[0] & 0xff) == 0xff
                && (b[1] & 0xff) == 0xd8
                && (b[2] & 0xff) == 0xff;
    }

    private static boolean isWebp(byte[] b) {
        return b.length >= 12
                && b[0] == 'R'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == 'F'
                && b[8] == 'W'
                && b[9] == 'E'
                && b[10] == 'B'
                && b[11] == 'P';
    }

    private static boolean isTiff(byte[] b) {
        return b.length >= 4
                && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                        || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42));
    }
}
