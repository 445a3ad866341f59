package dev.glimpse.jobs.demo.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakCsvTest {

    @TempDir Path dir;

    @Test
    void rowsReadBackExactlyAsWrittenWithUnmeasuredCellsEmpty() throws Exception {
        Path csv = dir.resolve("soak.csv");
        SoakRow first =
                SoakRow.of(
                        Map.of(
                                SoakColumn.ELAPSED_S, 10.0,
                                SoakColumn.RESULTS_PER_S, 2.5,
                                SoakColumn.LATENCY_P99_MS, 812.0,
                                SoakColumn.RSS_BYTES, 1_234_567_890.0));
        SoakRow second =
                SoakRow.of(
                        Map.of(
                                SoakColumn.ELAPSED_S, 20.0,
                                SoakColumn.RESULTS_PER_S, 0.1,
                                SoakColumn.CHECKPOINTS_FAILED, 0.0));

        SoakCsv.create(csv);
        SoakCsv.append(csv, first);
        SoakCsv.append(csv, second);

        assertThat(SoakCsv.read(csv)).containsExactly(first, second);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .startsWith("elapsed_s,results_per_s,captions_per_s,")
                .endsWith(",checkpoints_completed,checkpoints_failed");
        assertThat(lines.get(1)).startsWith("10,2.5,,,,,,812,,,,,,,,,,1234567890,").endsWith(",,");
        assertThat(lines.get(2)).startsWith("20,0.1,").endsWith(",,0");
        assertThat(SoakCsv.read(csv).get(1).get(SoakColumn.RSS_BYTES)).isNaN();
    }

    @Test
    void aHeaderMayOrderAndOmitColumns() throws Exception {
        Path csv = dir.resolve("partial.csv");
        Files.writeString(csv, "rss_bytes,elapsed_s\n2048,30\n,40\n");

        List<SoakRow> rows = SoakCsv.read(csv);

        assertThat(rows.get(0).toMap())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(SoakColumn.RSS_BYTES, 2048.0, SoakColumn.ELAPSED_S, 30.0));
        assertThat(rows.get(1).toMap())
                .containsExactlyEntriesOf(Map.of(SoakColumn.ELAPSED_S, 40.0));
    }

    @Test
    void badFilesAreRejectedNamingTheLineAndColumn() throws Exception {
        Path unknown = dir.resolve("unknown.csv");
        Files.writeString(unknown, "elapsed_s,rss\n1,2\n");
        Path notNumber = dir.resolve("nan.csv");
        Files.writeString(notNumber, "elapsed_s,rss_bytes\n1,2\n2,lots\n");
        Path shortLine = dir.resolve("short.csv");
        Files.writeString(shortLine, "elapsed_s,rss_bytes\n1\n");

        assertThatThrownBy(() -> SoakCsv.read(unknown))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown soak CSV column 'rss'");
        assertThatThrownBy(() -> SoakCsv.read(notNumber))
                .hasMessage(notNumber + " line 3: rss_bytes must be a number, was 'lots'");
        assertThatThrownBy(() -> SoakCsv.read(shortLine))
                .hasMessage(shortLine + " line 2: 1 cells, expected 2");
    }
}
