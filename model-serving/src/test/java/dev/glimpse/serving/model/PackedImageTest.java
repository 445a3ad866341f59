package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.slicing.PixelNormalization;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PackedImageTest {

    @Test
    void becomesTheEngineImageWithEveryStripNormalisedPerChannelPlane() {
        // one 14x14 input (1x1 patches): the red plane all 0, green all 255, blue all 128
        byte[] strip = new byte[3 * 14 * 14];
        Arrays.fill(strip, 196, 392, (byte) 255);
        Arrays.fill(strip, 392, 588, (byte) 128);
        PackedImage packed =
                new PackedImage("h", new byte[][] {strip}, new int[] {1}, new int[] {1}, 0, 0);

        EngineImage image = packed.toEngineImage(PixelNormalization.MINICPM_V);

        assertThat(image.contentHash()).isEqualTo("h");
        assertThat(image.gridRows()).isZero();
        assertThat(image.slices()).hasSize(1);
        float[] px = image.slices().get(0).pixels();
        assertThat(new float[] {px[0], px[195], px[196], px[391], px[392], px[587]})
                .containsExactly(-1f, -1f, 1f, 1f, 0.003921628f, 0.003921628f);
        assertThat(image.slices().get(0).patchRows()).isEqualTo(1);
    }

    @Test
    void stripsAndSizesOfDifferentLengthsAreRejected() {
        assertThatThrownBy(
                        () ->
                                new PackedImage(
                                        "h",
                                        new byte[][] {new byte[3], new byte[3]},
                                        new int[] {1},
                                        new int[] {1, 1},
                                        0,
                                        0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "strips, patchRows and patchCols must be non-empty and of one length, were"
                                + " 2, 1, 2");
    }
}
