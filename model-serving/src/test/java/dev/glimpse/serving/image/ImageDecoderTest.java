package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULTS);

    @Test
    void alphaIsDroppedNotComposited() throws Exception {
        BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x000a141e); // fully transparent (10, 20, 30)

        RgbImage decoded = decoder.decode(png(rgba), "rgba").pixels();

        assertThat(decoded.rgb(0, 0)).isEqualTo(0x0a141e);
    }

    @Test
    void greySamplesAreReplicatedWithoutGammaConversion() throws Exception {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 0, 0, 7);

        RgbImage decoded = decoder.decode(png(grey), "grey").pixels();

        assertThat(decoded.rgb(0, 0)).isEqualTo(0x808080);
        assertThat(decoded.rgb(1, 0)).isEqualTo(0x070707);
    }

    @Test
    void exifOrientationSixRotatesClockwiseAndSwapsSides() throws Exception {
        BufferedImage stored = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                stored.setRGB(x, y, 0x010000 * (10 * y + x)); // red = 10*y + x
            }
        }
        byte[] withExif = insertAfterIhdr(png(stored), chunk("eXIf", tiffWithOrientation(6)));

        DecodedImage decoded = decoder.decode(withExif, "rotated");

        assertThat(decoded.orientation()).isEqualTo(ExifOrientation.ROTATE_90_CW);
        RgbImage upright = decoded.pixels();
        assertThat(upright.width()).isEqualTo(2);
        assertThat(upright.height()).isEqualTo(3);
        // Clockwise: the stored bottom-left (x=0, y=1) becomes the top-left.
        assertThat(upright.rgb(0, 0) >> 16).isEqualTo(10);
        assertThat(upright.rgb(1, 0) >> 16).isEqualTo(0);
        assertThat(upright.rgb(0, 2) >> 16).isEqualTo(12);
    }

    @Test
    void aDecoderThatIgnoresOrientationReportsItButKeepsThePixelsAsStored() throws Exception {
        BufferedImage stored = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        stored.setRGB(0, 1, 0x0a0000);
        byte[] withExif = insertAfterIhdr(png(stored), chunk("eXIf", tiffWithOrientation(6)));

        DecodedImage decoded =
                new ImageDecoder(DecodeLimits.DEFAULTS, false).decode(withExif, "as stored");

        assertThat(decoded.orientation()).isEqualTo(ExifOrientation.ROTATE_90_CW);
        assertThat(decoded.pixels().width()).isEqualTo(3);
        assertThat(decoded.pixels().height()).isEqualTo(2);
        assertThat(decoded.pixels().rgb(0, 1) >> 16).isEqualTo(10);
    }

    @Test
    void everyOrientationMatchesPillowsTransposeMeaning() {
        // 2x1 picture [A B]; after each orientation, the displayed pixels read row-major.
        RgbImage ab = RgbImage.wrap(2, 1, new byte[] {1, 1, 1, 2, 2, 2});
        assertThat(firstChannel(ExifOrientation.MIRROR_HORIZONTAL.apply(ab))).containsExactly(2, 1);
        assertThat(firstChannel(ExifOrientation.ROTATE_180.apply(ab))).containsExactly(2, 1);
        assertThat(firstChannel(ExifOrientation.MIRROR_VERTICAL.apply(ab))).containsExactly(1, 2);
        assertThat(firstChannel(ExifOrientation.TRANSPOSE.apply(ab))).containsExactly(1, 2);
        assertThat(firstChannel(ExifOrientation.ROTATE_90_CW.apply(ab))).containsExactly(1, 2);
        assertThat(firstChannel(ExifOrientation.TRANSVERSE.apply(ab))).containsExactly(2, 1);
        assertThat(firstChannel(ExifOrientation.ROTATE_90_CCW.apply(ab))).containsExactly(2, 1);
    }

    @Test
    void jpegOrientationIsReadFromTheExifSegment() {
        byte[] tiff = tiffWithOrientation(8);
        ByteBuffer jpeg = ByteBuffer.allocate(2 + 4 + 6 + tiff.length + 2);
        jpeg.put((byte) 0xff).put((byte) 0xd8).put((byte) 0xff).put((byte) 0xe1);
        jpeg.putShort((short) (2 + 6 + tiff.length));
        jpeg.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII)).put(tiff);
        jpeg.put((byte) 0xff).put((byte) 0xd9);

        assertThat(OrientationReader.fromJpeg(jpeg.array()))
                .isEqualTo(ExifOrientation.ROTATE_90_CCW);
    }

    @Test
    void tooManyEncodedBytesAreRejectedBeforeReading() {
        ImageDecoder small = new ImageDecoder(new DecodeLimits(100, 100, 100, 10_000, 1, 1));

        assertThatThrownBy(() -> small.decode(new byte[101], "upload-7"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage("upload-7: TOO_LARGE: 101 encoded bytes; expected at most 100")
                .extracting(e -> ((ImageRejectedException) e).reason())
                .isEqualTo(RejectionReason.TOO_LARGE);
    }

    @Test
    void aThumbnailIsEveryKthPixelOfTheFullDecodeKeepingTheShorterSideAtLeastMinSide()
            throws Exception {
        BufferedImage frame = new BufferedImage(1280, 720, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 720; y++) {
            for (int x = 0; x < 1280; x++) {
                frame.setRGB(x, y, (x * 7 + y * 3) & 0xFFFFFF);
            }
        }
        byte[] bytes = png(frame);

        RgbImage full = decoder.decode(bytes, "frame").pixels();
        RgbImage thumb = decoder.decodeThumbnail(bytes, "frame", 128).pixels();

        // k = 720 / 128 = 5: 256 x 144, pixel (x, y) = full pixel (5x, 5y)
        assertThat(thumb.width()).isEqualTo(256);
        assertThat(thumb.height()).isEqualTo(144);
        for (int y = 0; y < 144; y += 13) {
            for (int x = 0; x < 256; x += 17) {
                assertThat(thumb.rgb(x, y)).isEqualTo(full.rgb(5 * x, 5 * y));
            }
        }
    }

    @Test
    void aPictureAlreadySmallerThanMinSideIsDecodedWhole() throws Exception {
        BufferedImage small = new BufferedImage(112, 96, BufferedImage.TYPE_INT_RGB);
        small.setRGB(111, 95, 0x123456);

        RgbImage thumb = decoder.decodeThumbnail(png(small), "small", 128).pixels();

        assertThat(thumb.width()).isEqualTo(112);
        assertThat(thumb.height()).isEqualTo(96);
        assertThat(thumb.rgb(111, 95)).isEqualTo(0x123456);
    }

    @Test
    void aThumbnailIsRejectedLikeTheFullDecode() throws Exception {
        ImageDecoder small = new ImageDecoder(new DecodeLimits(1_000_000, 1000, 1000, 9_999, 1, 1));
        byte[] bytes = png(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB));

        assertThatThrownBy(() -> small.decodeThumbnail(bytes, "cam-3/frame-9", 16))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "cam-3/frame-9: TOO_MANY_PIXELS: size 100x100 = 10000 pixels; expected at most 9999");
        assertThatThrownBy(() -> decoder.decodeThumbnail(bytes, "x", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minSide must be >= 1, got 0");
    }

    @Test
    void aHeaderClaimingTooManyPixelsIsRejectedFromTheHeader() throws Exception {
        ImageDecoder small = new ImageDecoder(new DecodeLimits(1_000_000, 1000, 1000, 9_999, 1, 1));
        byte[] bytes = png(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB));

        assertThatThrownBy(() -> small.decode(bytes, "cam-3/frame-9"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "cam-3/frame-9: TOO_MANY_PIXELS: size 100x100 = 10000 pixels; expected at most 9999");
    }

    @Test
    void aPictureBelowTheMinimumSizeIsTooSmall() throws Exception {
        ImageDecoder strict =
                new ImageDecoder(new DecodeLimits(1_000_000, 1000, 1000, 1_000_000, 2, 2));
        byte[] bytes = png(new BufferedImage(1, 5, BufferedImage.TYPE_INT_RGB));

        assertThatThrownBy(() -> strict.decode(bytes, "tiny"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage("tiny: TOO_SMALL: size 1x5; expected at least 2x2");
    }

    @Test
    void aPngWithABadChunkCrcIsCorrupt() throws Exception {
        byte[] bytes = png(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));
        bytes[bytes.length - 20] ^= 1; // inside the IDAT data, before IEND

        assertThatThrownBy(() -> decoder.decode(bytes, "flipped-bit"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageStartingWith("flipped-bit: CORRUPT: PNG chunk IDAT");
    }

    @Test
    void aPalettePngWhoseIndicesStayInsideItsPaletteDecodesToThePaletteColours() throws Exception {
        byte[] bytes = palettePng(new byte[] {10, 20, 30, 40, 50, 60}, 1);

        RgbImage decoded = decoder.decode(bytes, "two-colours").pixels();

        assertThat(decoded.rgb(0, 0)).isEqualTo(0x0a141e);
        assertThat(decoded.rgb(1, 0)).isEqualTo(0x28323c);
    }

    @Test
    void aPalettePngWhoseIndicesRunPastItsPaletteIsCorruptWholeAndSubsampled() throws Exception {
        // two PLTE entries, pixel indices 0..3: the JDK reader pads the palette to 256 entries
        // and would decode index 2 and 3 as the last colour
        byte[] bytes = palettePng(new byte[] {10, 20, 30, 40, 50, 60}, 3);

        assertThatThrownBy(() -> decoder.decode(bytes, "short-palette"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage("short-palette: CORRUPT: pixel index 3 is past the 2-entry palette");
        assertThatThrownBy(() -> decoder.decodeThumbnail(bytes, "short-palette", 2))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageStartingWith("short-palette: CORRUPT: pixel index ")
                .hasMessageEndingWith(" is past the 2-entry palette");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aWebpWhoseReaderKeepsReadingPastTheEndIsTruncatedInsteadOfSpinning() throws Exception {
        // found by ImageParsingFuzzTest: the VP8L bit reader reads zeros past the end for minutes
        byte[] bytes;
        try (var in =
                getClass()
                        .getResourceAsStream(
                                "ImageParsingFuzzTestInputs/decodeWholeAndSubsampled/"
                                        + "finding-webp-lossless-reads-past-end.webp")) {
            bytes = in.readAllBytes();
        }

        assertThatThrownBy(() -> decoder.decode(bytes, "spin.webp"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "spin.webp: TRUNCATED: reader went on past the end of the 189 bytes of data"
                                + " 1024 times; expected a complete image");
    }

    @Test
    void anUncompressedBmpTooShortForItsDeclaredPixelsIsTruncatedBeforeReading() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "bmp", out);
        byte[] bmp = out.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(bmp, bmp.length - 1);

        assertThat(decoder.decode(bmp, "whole.bmp").pixels().width()).isEqualTo(40);
        assertThatThrownBy(() -> decoder.decode(cut, "cut.bmp"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "cut.bmp: TRUNCATED: BMP declares 40x30 pixels at 24 bits, "
                                + bmp.length
                                + " bytes with its header, but has "
                                + cut.length);
    }

    @Test
    void aBmpWhosePixelDataOffsetIsPastItsEndIsTruncatedBeforeTheReaderSizesAPaletteFromIt()
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB), "bmp", out);
        byte[] bmp = out.toByteArray();
        ByteBuffer.wrap(bmp).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(10, 0x52000046);

        assertThatThrownBy(() -> decoder.decode(bmp, "far.bmp"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "far.bmp: TRUNCATED: BMP pixel data starts at byte 1375731782, past the end"
                                + " of its "
                                + bmp.length
                                + " bytes");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aLossyWebpKeyFrameWithoutItsStartCodeIsCorruptBeforeTheVp8DecoderSizesItsMacroblocks()
            throws Exception {
        // found by ImageParsingFuzzTest: the frame header declared 13568x11008, 4.5 s per decode
        byte[] bytes;
        try (var in =
                getClass()
                        .getResourceAsStream(
                                "ImageParsingFuzzTestInputs/decodeWholeAndSubsampled/"
                                        + "finding-webp-vp8-frame-larger-than-header.webp")) {
            bytes = in.readAllBytes();
        }

        assertThatThrownBy(() -> decoder.decode(bytes, "frame.webp"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "frame.webp: CORRUPT: WebP VP8 key frame at byte 20 lacks the start code"
                                + " 9d 01 2a");
    }

    @Test
    void randomBytesAreAnUnsupportedFormat() {
        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        "hello, world".getBytes(StandardCharsets.US_ASCII),
                                        "note.txt"))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage(
                        "note.txt: UNSUPPORTED_FORMAT: no reader recognises the content; expected an"
                                + " encoded JPEG, PNG, BMP, GIF, TIFF or WebP image");
    }

    @Test
    void limitsRejectAMaximumBelowTheMinimumNamingBoth() {
        assertThatThrownBy(() -> new DecodeLimits(100, 1, 1, 100, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "maxWidth x maxHeight must be at least minWidth x minHeight (2x2), got 1x1");
    }

    private static int[] firstChannel(RgbImage image) {
        int[] out = new int[image.width() * image.height()];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.pixels()[i * 3];
        }
        return out;
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /**
     * A 4x4 8-bit indexed-colour PNG with {@code palette} as its PLTE chunk; pixel (x, y) has index
     * {@code (x + y) % (maxIndex + 1)}, so every index up to {@code maxIndex} occurs in every other
     * row and column.
     */
    static byte[] palettePng(byte[] palette, int maxIndex) throws IOException {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(4).putInt(4).put((byte) 8).put((byte) 3).put((byte) 0).put((byte) 0);
        ihdr.put((byte) 0);
        byte[] raw = new byte[4 * 5];
        for (int y = 0; y < 4; y++) {
            raw[y * 5] = 0; // filter type None
            for (int x = 0; x < 4; x++) {
                raw[y * 5 + 1 + x] = (byte) ((x + y) % (maxIndex + 1));
            }
        }
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat)) {
            z.write(raw);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(PngChunkScanner.SIGNATURE);
        png.write(chunk("IHDR", ihdr.array()));
        png.write(chunk("PLTE", palette));
        png.write(chunk("IDAT", idat.toByteArray()));
        png.write(chunk("IEND", new byte[0]));
        return png.toByteArray();
    }

    private static byte[] tiffWithOrientation(int value) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 + 4);
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) value)
                .putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] insertAfterIhdr(byte[] png, byte[] chunk) {
        int at = 8 + 12 + 13; // signature + IHDR
        byte[] out = new byte[png.length + chunk.length];
        System.arraycopy(png, 0, out, 0, at);
        System.arraycopy(chunk, 0, out, at, chunk.length);
        System.arraycopy(png, at, out, at + chunk.length, png.length - at);
        return out;
    }
}
