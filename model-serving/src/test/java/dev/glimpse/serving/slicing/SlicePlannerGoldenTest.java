package dev.glimpse.serving.slicing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compares the planner with {@code training/slicing_reference.py} on the committed golden file (see
 * {@code src/test/resources/slicing/README.md} for the command that wrote it).
 */
class SlicePlannerGoldenTest {

    private record GoldenRow(SliceConfig config, ImageSize size, String expected) {}

    @Test
    void everyGoldenRowMatchesTheReferenceExactly() throws IOException {
        List<GoldenRow> rows = readGolden();
        List<String> mismatches = new ArrayList<>();
        for (GoldenRow row : rows) {
            String actual = format(new SlicePlanner(row.config()).plan(row.size()));
            if (!actual.equals(row.expected())) {
                mismatches.add(
                        row.config()
                                + " "
                                + row.size()
                                + ": expected "
                                + row.expected()
                                + ", got "
                                + actual);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void goldenFileCoversAtLeastTwoThousandSizesAtTheDefaultsAndTheTinyModelScale()
            throws IOException {
        List<GoldenRow> rows = readGolden();
        assertThat(rows.stream().filter(r -> r.config().equals(SliceConfig.MINICPM_V)).count())
                .isGreaterThanOrEqualTo(2000);
        assertThat(rows.stream().filter(r -> r.config().scaleResolution() == 112).count())
                .isGreaterThanOrEqualTo(1000);
        assertThat(rows)
                .extracting(GoldenRow::size)
                .contains(new ImageSize(1, 7241), new ImageSize(4000, 100), new ImageSize(7241, 1));
    }

    static String format(SliceLayout layout) {
        return String.join(
                "\t",
                layout.isSliced() ? layout.grid().toString() : "-",
                layout.overview().toString(),
                layout.isSliced() ? layout.slice().toString() : "-",
                layout.isSliced() ? layout.refined().toString() : "-");
    }

    private static List<GoldenRow> readGolden() throws IOException {
        List<GoldenRow> rows = new ArrayList<>();
        try (InputStream in =
                SlicePlannerGoldenTest.class.getResourceAsStream("/slicing/golden.tsv")) {
            assertThat(in).as("slicing/golden.tsv on the test classpath").isNotNull();
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                SliceConfig config =
                        new SliceConfig(
                                Integer.parseInt(f[0]),
                                Integer.parseInt(f[1]),
                                Integer.parseInt(f[2]));
                ImageSize size = new ImageSize(Integer.parseInt(f[3]), Integer.parseInt(f[4]));
                rows.add(new GoldenRow(config, size, String.join("\t", f[5], f[6], f[7], f[8])));
            }
        }
        return rows;
    }
}
