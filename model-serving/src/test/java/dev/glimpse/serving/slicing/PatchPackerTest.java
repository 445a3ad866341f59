package dev.glimpse.serving.slicing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.image.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchPackerTest {

    private final PatchPacker packer = new PatchPacker(2, PixelNormalization.MINICPM_V);

    @Test
    void bytesMapToMinusOneToOneInFloat32LikeNumpy() {
        float[][] lut = PixelNormalization.MINICPM_V.lookupTables();
        assertThat(lut[0][0]).isEqualTo(-1f);
        assertThat(lut[1][255]).isEqualTo(1f);
        assertThat(lut[2][128])
                .isEqualTo(((float) 128 / 255f - 0.5f) / 0.5f)
                .isEqualTo(0.003921628f);
    }

    @Test
    void patchesAreLaidSideBySideInRowMajorOrder() {
        // 4x4 picture, patch 2 -> 2x2 patches; red = 10*y + x identifies the source pixel.
        byte[] px = new byte[4 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                px[(y * 4 + x) * 3] = (byte) (10 * y + x);
                px[(y * 4 + x) * 3 + 1] = (byte) 255;
            }
        }
        PatchStrip strip =
                new PatchPacker(
                                2,
                                new PixelNormalization(
                                        new float[3], new float[] {1 / 255f, 1 / 255f, 1 / 255f}))
                        .pack(RgbImage.wrap(4, 4, px));

        assertThat(strip.heightPatches()).isEqualTo(2);
        assertThat(strip.widthPatches()).isEqualTo(2);
        // Red plane, (2 rows, 4 patches * 2 columns): patch 0 = (0,0),(1,0)... patch 2 = rows 2-3.
        float[] red = java.util.Arrays.copyOfRange(strip.data(), 0, 16);
        assertThat(red)
                .usingComparatorWithPrecision(1e-3f)
                .containsExactly(0, 1, 2, 3, 20, 21, 22, 23, 10, 11, 12, 13, 30, 31, 32, 33);
        assertThat(strip.data()[16]).isEqualTo(255f, org.assertj.core.data.Offset.offset(1e-3f));
    }

    @Test
    void theByteStripHasTheFloatStripsLayoutAndNormalisesToExactlyItsValues() {
        byte[] px = new byte[6 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 37 + 11);
        }
        RgbImage image = RgbImage.wrap(6, 4, px);

        byte[] bytes = packer.packBytes(image);
        float[] floats = packer.pack(image).data();

        assertThat(bytes).hasSize(floats.length);
        assertThat(PixelNormalization.MINICPM_V.normalizeStrip(bytes)).containsExactly(floats);
        // byte 0 is red of pixel (0,0), the first value of the red plane
        assertThat(bytes[0]).isEqualTo(px[0]);
        assertThat(bytes[bytes.length / 3]).isEqualTo(px[1]);
    }

    @Test
    void aStripWhoseLengthIsNotThreePlanesIsRejected() {
        assertThatThrownBy(() -> PixelNormalization.MINICPM_V.normalizeStrip(new byte[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a strip holds 3 equal channel planes; length 4 is not");
    }

    @Test
    void sidesThatAreNotMultiplesOfThePatchAreRejected() {
        assertThatThrownBy(() -> packer.pack(RgbImage.wrap(3, 2, new byte[18])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image 3x2 must have sides that are multiples of the patch size 2");
    }

    @Test
    void aBatchIsPaddedToTheLongestStripWithAMaskAndTargetSizes() {
        PatchStrip wide =
                packer.pack(RgbImage.wrap(4, 2, filled(4 * 2, (byte) 255))); // 1x2 patches
        PatchStrip small = packer.pack(RgbImage.wrap(2, 2, filled(2 * 2, (byte) 255))); // 1x1

        PatchBatch batch = PatchBatch.pad(List.of(wide, small));

        assertThat(batch.maxPatches()).isEqualTo(2);
        assertThat(batch.targetSizes()).containsExactly(1, 2, 1, 1);
        assertThat(batch.patchMask()).containsExactly(true, true, true, false);
        assertThat(batch.pixelValues()).hasSize(2 * 3 * 2 * 4);
        // Second input, first row of the red plane: one real patch (1.0) then zero padding.
        int secondRed = 3 * 2 * 4;
        assertThat(java.util.Arrays.copyOfRange(batch.pixelValues(), secondRed, secondRed + 4))
                .containsExactly(1f, 1f, 0f, 0f);
    }

    private static byte[] filled(int pixels, byte value) {
        byte[] b = new byte[pixels * 3];
        java.util.Arrays.fill(b, value);
        return b;
    }
}
