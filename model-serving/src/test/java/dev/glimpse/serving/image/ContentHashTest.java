package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ContentHashTest {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULTS);

    @Test
    void thePicturesReEncodedLosslesslyHashTheSame() throws Exception {
        BufferedImage picture = new BufferedImage(17, 9, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 17; x++) {
                picture.setRGB(x, y, (x * 15) << 16 | (y * 28) << 8 | (x ^ y));
            }
        }

        ContentHash fromPng =
                ContentHash.of(decoder.decode(encode(picture, "png"), "a.png").pixels());
        ContentHash fromBmp =
                ContentHash.of(decoder.decode(encode(picture, "bmp"), "a.bmp").pixels());
        ContentHash fromTiff =
                ContentHash.of(decoder.decode(encode(picture, "tiff"), "a.tiff").pixels());

        assertThat(fromPng).isEqualTo(fromBmp).isEqualTo(fromTiff);
        assertThat(fromPng.hex()).hasSize(64);
    }

    @Test
    void oneChangedSampleOrAnotherShapeChangesTheHash() {
        byte[] pixels = new byte[2 * 3 * 3];
        ContentHash base = ContentHash.of(RgbImage.wrap(2, 3, pixels));
        byte[] changed = pixels.clone();
        changed[5] = 1;

        assertThat(ContentHash.of(RgbImage.wrap(2, 3, changed))).isNotEqualTo(base);
        assertThat(ContentHash.of(RgbImage.wrap(3, 2, pixels))).isNotEqualTo(base);
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }
}
