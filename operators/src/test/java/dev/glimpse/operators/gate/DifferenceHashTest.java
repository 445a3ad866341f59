package dev.glimpse.operators.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.TestImages;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import dev.glimpse.serving.image.RgbImage;
import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class DifferenceHashTest {

    private static final ImageDecoder DECODER = new ImageDecoder(DecodeLimits.DEFAULTS);

    private static long hashOf(BufferedImage image) throws Exception {
        return DifferenceHash.of(DECODER.decode(TestImages.png(image), "test").pixels());
    }

    @Test
    void identicalPicturesHashAlikeAtDistanceZero() throws Exception {
        long a = hashOf(TestImages.sceneA());
        long b = hashOf(TestImages.sceneA());

        assertThat(a).isEqualTo(b);
        assertThat(DifferenceHash.distance(a, b)).isZero();
    }

    @Test
    void aLeftToRightGradientSetsEveryBitAndItsMirrorNone() {
        // 9x8 cells, each one brighter than its right-hand neighbour: all 64 bits are 1
        byte[] px = new byte[90 * 8 * 3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 90; x++) {
                byte v = (byte) (250 - x * 2);
                int i = (y * 90 + x) * 3;
                px[i] = v;
                px[i + 1] = v;
                px[i + 2] = v;
            }
        }
        long hash = DifferenceHash.of(RgbImage.wrap(90, 8, px));

        assertThat(hash).isEqualTo(-1L);
        assertThat(DifferenceHash.distance(hash, 0L)).isEqualTo(64);
    }

    @Test
    void sensorNoiseMovesTheHashByAtMostAFewBits() throws Exception {
        long clean = hashOf(TestImages.sceneA());
        for (long seed = 1; seed <= 10; seed++) {
            long noisy = hashOf(TestImages.withNoise(TestImages.sceneA(), seed, 4));
            assertThat(DifferenceHash.distance(clean, noisy))
                    .as("seed %d", seed)
                    .isLessThanOrEqualTo(2)
                    .isLessThanOrEqualTo(FrameGateConfig.DEFAULTS.duplicateDistance());
        }
    }

    @Test
    void aDifferentSceneIsFarAboveTheDuplicateDistance() throws Exception {
        long a = hashOf(TestImages.sceneA());
        long b = hashOf(TestImages.sceneB());

        assertThat(DifferenceHash.distance(a, b))
                .isGreaterThanOrEqualTo(40)
                .isGreaterThan(FrameGateConfig.DEFAULTS.duplicateDistance());
    }

    @Test
    void aOneByOnePixelPictureHashesWithoutFailing() {
        // one pixel fills the top-left cell only; the empty cells count as black
        long white = DifferenceHash.of(RgbImage.wrap(1, 1, new byte[] {-1, -1, -1}));
        long black = DifferenceHash.of(RgbImage.wrap(1, 1, new byte[] {0, 0, 0}));

        assertThat(white).isEqualTo(1L << 63);
        assertThat(black).isZero();
        assertThat(DifferenceHash.distance(white, black)).isEqualTo(1);
    }

    @Test
    void aFlatPictureHashesToZero() throws Exception {
        assertThat(hashOf(TestImages.solid(64, 48, Color.GRAY))).isZero();
    }

    @Test
    void aFlatPictureHashesToZeroWhateverItsSize() throws Exception {
        // cells of 7 and 8 columns have equal means; integer sums compare them as equal
        for (int w : new int[] {9, 17, 64, 100, 333}) {
            assertThat(hashOf(TestImages.solid(w, 37, new Color(128, 64, 200))))
                    .as("%dx37", w)
                    .isZero();
        }
    }

    @Test
    void lumaIsPillowsIntegerConversion() {
        assertThat(DifferenceHash.luma(255, 255, 255)).isEqualTo(255);
        assertThat(DifferenceHash.luma(0, 0, 0)).isZero();
        assertThat(DifferenceHash.luma(255, 0, 0)).isEqualTo(76);
        assertThat(DifferenceHash.luma(0, 255, 0)).isEqualTo(150);
        assertThat(DifferenceHash.luma(0, 0, 255)).isEqualTo(29);
        assertThat(DifferenceHash.luma(128, 128, 128)).isEqualTo(128);
    }

    @Test
    void distanceCountsDifferingBits() {
        assertThat(DifferenceHash.distance(0b1011L, 0b0010L)).isEqualTo(2);
        assertThat(DifferenceHash.distance(-1L, 0L)).isEqualTo(64);
        assertThat(DifferenceHash.distance(42L, 42L)).isZero();
    }
}
