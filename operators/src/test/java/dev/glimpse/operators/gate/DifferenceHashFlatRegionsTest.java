package dev.glimpse.operators.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.image.RgbImage;
import org.junit.jupiter.api.Test;

class DifferenceHashFlatRegionsTest {

    @Test
    void aFlatPictureHashesToZeroWhateverItsColour() {
        for (int grey = 200; grey < 256; grey++) {
            assertThat(DifferenceHash.of(flat(110, 103, grey))).as("grey %d", grey).isZero();
        }
    }

    @Test
    void aOneLevelBrightnessChangeKeepsTheHashOfAMostlyFlatPicture() {
        RgbImage a = withSquare(flat(117, 99, 240));
        RgbImage b = withSquare(flat(117, 99, 241));
        assertThat(DifferenceHash.distance(DifferenceHash.of(a), DifferenceHash.of(b)))
                .isLessThanOrEqualTo(2);
    }

    private static RgbImage flat(int w, int h, int grey) {
        byte[] px = new byte[w * h * 3];
        java.util.Arrays.fill(px, (byte) grey);
        return RgbImage.wrap(w, h, px);
    }

    private static RgbImage withSquare(RgbImage img) {
        byte[] px = img.pixels();
        for (int y = 30; y < 60; y++) {
            for (int x = 20; x < 50; x++) {
                int i = (y * img.width() + x) * 3;
                px[i] = (byte) 220;
                px[i + 1] = 30;
                px[i + 2] = 30;
            }
        }
        return img;
    }
}
