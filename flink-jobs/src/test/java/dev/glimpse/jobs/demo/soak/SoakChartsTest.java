package dev.glimpse.jobs.demo.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakChartsTest {

    @TempDir Path dir;

    @Test
    void rendersFourPngChartsOfTheConfiguredSize() throws Exception {
        Path out = dir.resolve("charts");

        SoakCharts.render(SoakSummaryTest.synthetic(), Duration.ofMinutes(5), out);

        assertThat(SoakCharts.FILES)
                .containsExactly("throughput.png", "latency.png", "memory.png", "checkpoints.png");
        for (String name : SoakCharts.FILES) {
            BufferedImage png = ImageIO.read(out.resolve(name).toFile());
            assertThat(png).as(name).isNotNull();
            assertThat(png.getWidth()).as(name).isEqualTo(1000);
            assertThat(png.getHeight()).as(name).isEqualTo(500);
        }
    }

    @Test
    void mainRendersChartsAndSummaryFromACsv() throws Exception {
        Path csv = dir.resolve("soak.csv");
        SoakCsv.create(csv);
        for (SoakRow r : SoakSummaryTest.synthetic()) {
            SoakCsv.append(csv, r);
        }
        Path out = dir.resolve("out");

        SoakCharts.main(new String[] {csv.toString(), out.toString(), "--warmup", "300"});

        assertThat(Files.readString(out.resolve("summary.md")))
                .isEqualTo(
                        SoakSummary.of(SoakSummaryTest.synthetic(), Duration.ofMinutes(5))
                                .markdown());
        for (String name : SoakCharts.FILES) {
            assertThat(out.resolve(name)).isRegularFile();
        }
    }
}
