package dev.glimpse.serving.slicing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.image.RgbImage;
import dev.glimpse.serving.testing.TestPng;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares resizing and the whole slicing path with Pillow 9.4's output on the committed golden set
 * ({@code src/test/resources/pillow/README.md} has the command that wrote it).
 */
class PillowBicubicResamplerGoldenTest {

    private static final String DIR = "/pillow/";

    static Stream<String> resizeRows() throws IOException {
        return manifest().stream().filter(f -> f[0].equals("resize")).map(f -> String.join(" ", f));
    }

    static Stream<String> slicedSources() throws IOException {
        return manifest().stream()
                .filter(f -> f[0].equals("slice"))
                .map(f -> String.join(" ", f[1], f[2], f[3], f[4]))
                .distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resizeRows")
    void resizedPixelsEqualPillowsWithinOnePerChannel(String line) throws IOException {
        String[] row = line.split(" ");
        RgbImage source = TestPng.readResource(DIR + row[1]);
        RgbImage expected = TestPng.readResource(DIR + row[4]);

        RgbImage actual =
                new PillowBicubicResampler()
                        .resize(
                                source,
                                new ImageSize(Integer.parseInt(row[2]), Integer.parseInt(row[3])));

        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(TestPng.maxAbsDifference(actual, expected)).as(row[4]).isLessThanOrEqualTo(1);
        // Same integer arithmetic as Resample.c, so in practice the pixels are identical.
        assertThat(TestPng.differingSamples(actual, expected)).as(row[4]).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slicedSources")
    void overviewAndSlicesEqualPillowsSlicingPath(String key) throws IOException {
        String[] k = key.split(" ");
        SliceConfig config =
                new SliceConfig(
                        Integer.parseInt(k[1]), Integer.parseInt(k[2]), Integer.parseInt(k[3]));
        List<String[]> expectedParts =
                manifest().stream()
                        .filter(
                                f ->
                                        f[0].equals("slice")
                                                && String.join(" ", f[1], f[2], f[3], f[4])
                                                        .equals(key))
                        .toList();

        SlicedImage sliced = new ImageSlicer(config).slice(TestPng.readResource(DIR + k[0]));

        assertThat(sliced.images()).hasSize(expectedParts.size());
        for (String[] part : expectedParts) {
            RgbImage expected = TestPng.readResource(DIR + part[6]);
            RgbImage actual = sliced.images().get(Integer.parseInt(part[5]));
            assertThat(actual.width()).as(part[6]).isEqualTo(expected.width());
            assertThat(actual.height()).as(part[6]).isEqualTo(expected.height());
            assertThat(TestPng.maxAbsDifference(actual, expected))
                    .as(part[6])
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void goldenSetCoversDownscaleUpscaleAndBothScaleResolutions() throws IOException {
        List<String[]> rows = manifest();
        assertThat(rows.stream().filter(f -> f[0].equals("resize")).count())
                .isGreaterThanOrEqualTo(20);
        assertThat(rows.stream().filter(f -> f[0].equals("slice")).map(f -> f[2]).distinct())
                .contains("448", "112");
    }

    private static List<String[]> manifest() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in =
                PillowBicubicResamplerGoldenTest.class.getResourceAsStream(DIR + "manifest.tsv")) {
            assertThat(in).as("pillow/manifest.tsv on the test classpath").isNotNull();
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
        }
        return rows;
    }
}
