package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz targets (Jazzer) for the parsers that read untrusted image bytes. In {@code
 * mvn test} each target runs once per seed of {@code ImageParsingFuzzTestInputs/<method>/} (and per
 * finding committed there); with {@code JAZZER_FUZZ=1} one target is fuzzed (docs/fuzzing.md).
 *
 * <p>Contract checked: every input either decodes or is rejected with {@link
 * ImageRejectedException}; nothing else escapes (an unexpected exception, an error, a hang or an
 * allocation beyond the limits is a finding).
 */
class ImageParsingFuzzTest {

    /**
     * Small limits keep inputs that claim big-but-allowed sizes cheap, so each input runs in
     * milliseconds; the checks are the same code paths as with the production limits.
     */
    private static final ImageDecoder DECODER =
            new ImageDecoder(new DecodeLimits(1_000_000, 1024, 1024, 1_000_000, 1, 1));

    /**
     * Every format the decoder reads (the seeds hold PNG, JPEG, BMP, GIF, TIFF and WebP), decoded
     * whole and as the subsampled thumbnail the frame gate hashes. The thumbnail's minimum side
     * comes from the input's length, so the seeds stay plain image files.
     */
    @FuzzTest(maxDuration = "5m")
    void decodeWholeAndSubsampled(byte[] encoded) {
        int minSide = 1 + encoded.length % 16;
        DecodedImage whole = null;
        try {
            whole = DECODER.decode(encoded, "fuzz");
            assertThat(whole.pixels().pixels())
                    .hasSize(whole.pixels().width() * whole.pixels().height() * 3);
        } catch (ImageRejectedException e) {
            assertThat(e.getMessage()).startsWith("fuzz: " + e.reason() + ": ");
        }
        try {
            DecodedImage thumbnail = DECODER.decodeThumbnail(encoded, "fuzz", minSide);
            if (whole != null) {
                assertThat(thumbnail.pixels().width()).isLessThanOrEqualTo(whole.pixels().width());
                assertThat(thumbnail.pixels().height())
                        .isLessThanOrEqualTo(whole.pixels().height());
            }
        } catch (ImageRejectedException e) {
            assertThat(e.getMessage()).startsWith("fuzz: " + e.reason() + ": ");
        }
    }

    /** The PNG chunk scan alone: the critical-chunk stream it returns is well formed again. */
    @FuzzTest(maxDuration = "5m")
    void pngChunkScan(byte[] input) {
        if (!PngChunkScanner.hasSignature(input)) {
            return;
        }
        PngChunkScanner.Scan scan;
        try {
            scan = PngChunkScanner.scan(input, "fuzz");
        } catch (ImageRejectedException e) {
            assertThat(e.getMessage()).startsWith("fuzz: " + e.reason() + ": ");
            return;
        }
        assertThat(scan.criticalChunks().length).isLessThanOrEqualTo(input.length);
        // the stripped stream passes the scan unchanged: same size, palette and chunks
        try {
            PngChunkScanner.Scan again = PngChunkScanner.scan(scan.criticalChunks(), "again");
            assertThat(again.criticalChunks()).isEqualTo(scan.criticalChunks());
            assertThat(again.width()).isEqualTo(scan.width());
            assertThat(again.height()).isEqualTo(scan.height());
            assertThat(again.paletteEntries()).isEqualTo(scan.paletteEntries());
        } catch (ImageRejectedException e) {
            throw new AssertionError("the critical chunks of an accepted PNG were rejected", e);
        }
    }

    /**
     * The EXIF orientation readers of every container: total functions (a malformed or
     * out-of-bounds structure reads as NORMAL), never an exception.
     */
    @FuzzTest(maxDuration = "5m")
    void exifOrientation(byte[] b) {
        // returning at all is the contract; the value is checked by ImageDecoderTest
        OrientationReader.fromJpeg(b);
        OrientationReader.fromWebp(b);
        OrientationReader.fromTiffFile(b);
        OrientationReader.fromExifPayload(b, 0, b.length);
        // a payload that starts inside the buffer, as a PNG eXIf chunk does
        int from = b.length == 0 ? 0 : (b[0] & 0x0f) % b.length;
        OrientationReader.fromExifPayload(b, from, b.length);
    }
}
