package dev.glimpse.serving.slicing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rows of docs/slicing.md §4, written out so a failure reads like the table. */
class SlicePlannerTest {

    private final SlicePlanner planner = new SlicePlanner(SliceConfig.MINICPM_V);

    @ParameterizedTest(
            name = "{0}x{1} -> grid {2}, overview {3}, slice {4}, refined {5}, {6} tokens")
    @CsvSource({
        "448, 448, -, 448x448, -, -, 64",
        "1000, 500, 2x1, 630x322, 448x448, 896x448, 192",
        "1920, 1080, 4x2, 602x336, 420x476, 1680x952, 576",
        "300, 2000, 1x4, 168x1162, 350x574, 350x2296, 320",
        "2480, 3508, 2x4, 378x532, 532x378, 1064x1512, 576",
        "100, 100, -, 448x448, -, -, 64",
        "4000, 100, 3x1, 2800x70, 1624x126, 4872x126, 256",
        "500, 500, 1x2, 448x448, 630x322, 630x644, 192",
        "1344, 1344, 3x3, 448x448, 448x448, 1344x1344, 640",
        "448, 4032, 1x9, 154x1344, 448x448, 448x4032, 640",
        "800, 200, -, 896x224, -, -, 64",
        "600, 300, -, 630x322, -, -, 64",
        "640, 480, 2x1, 518x392, 364x546, 728x546, 192",
        "1080, 1920, 2x4, 336x602, 476x420, 952x1680, 576",
        "3000, 3000, 3x3, 448x448, 448x448, 1344x1344, 640",
        "1001, 700, 2x2, 532x378, 532x378, 1064x756, 320",
        "300, 200, -, 546x364, -, -, 64",
    })
    void everyTestVectorRowIsReproduced(
            int width,
            int height,
            String grid,
            String overview,
            String slice,
            String refined,
            int tokens) {
        SliceLayout layout = planner.plan(new ImageSize(width, height));

        assertThat(SlicePlannerGoldenTest.format(layout))
                .isEqualTo(String.join("\t", grid, overview, slice, refined));
        assertThat(layout.visualTokens(64)).isEqualTo(tokens);
    }

    @Test
    void aSquareTiePicksTheFirstCandidateWhichIsOneColumnTwoRows() {
        assertThat(planner.plan(new ImageSize(500, 500)).grid()).isEqualTo(new SliceGrid(1, 2));
    }

    @Test
    void ensureDivideRoundsHalfToEvenLikePython() {
        // 147 / 14 = 10.5 -> 10 (banker's rounding), llama.cpp would give 11.
        assertThat(SlicePlanner.ensureDivide(147, 14)).isEqualTo(140);
        assertThat(SlicePlanner.ensureDivide(161, 14)).isEqualTo(168); // 11.5 -> 12
        assertThat(SlicePlanner.ensureDivide(3, 14)).isEqualTo(14); // never below one patch
    }

    @Test
    void maxSlicesOfOneNeverSlices() {
        SliceLayout layout =
                new SlicePlanner(SliceConfig.MINICPM_V.withMaxSlices(1))
                        .plan(new ImageSize(4000, 3000));
        assertThat(layout.isSliced()).isFalse();
        assertThat(layout.overview()).isEqualTo(new ImageSize(518, 392));
    }

    @Test
    void theTinyModelScaleSlicesAtMuchSmallerSizes() {
        SliceLayout layout =
                new SlicePlanner(new SliceConfig(112, 14, 4)).plan(new ImageSize(640, 480));
        assertThat(layout.grid()).isEqualTo(new SliceGrid(2, 2));
        assertThat(layout.overview()).isEqualTo(new ImageSize(126, 98));
    }

    @Test
    void configRejectsAPatchLargerThanTheScaleNamingBoth() {
        assertThatThrownBy(() -> new SliceConfig(112, 224, 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("patchSize must be in [1, scaleResolution=112] pixels, got 224");
        assertThatThrownBy(() -> new SliceConfig(448, 14, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSlices must be at least 1, got 0");
    }
}
