package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisTask;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --secure}: the demo runs over SASL_SSL against a broker that enforces ACLs, the job, the
 * producers and the console each as their own principal, and still prints results of every task.
 */
class SecureDemoITCase {

    private static final Path BUNDLED_MODEL =
            Path.of("..", "model-serving", "models", "glimpse-tiny");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void secureDemoPrintsResultsOfEveryTaskOverSaslSsl() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        DemoOptions options =
                new DemoOptions(
                        Duration.ofSeconds(15),
                        3,
                        0,
                        BUNDLED_MODEL,
                        false,
                        1,
                        Duration.ZERO,
                        true,
                        LoadOptions.defaults(),
                        null);

        GlimpseDemo.Summary summary = GlimpseDemo.run(options, out);
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        assertThat(text)
                .contains("Kafka clients: SASL_SSL, SCRAM-SHA-512")
                .contains("ACLs enforced: glimpse-job reads glimpse.images")
                .contains("Stopping (--duration 15 s reached)")
                .contains("cluster closed")
                .containsPattern(
                        "Audit: sent=\\d+ committed=\\d+ dead=\\d+ skipped=\\d+ missing=0 duplicates=0 restarts=0")
                .doesNotContain("The job ended by itself");
        for (AnalysisTask task : AnalysisTask.values()) {
            assertThat(summary.results().get(task)).as("%s results", task).isPositive();
        }
    }
}
