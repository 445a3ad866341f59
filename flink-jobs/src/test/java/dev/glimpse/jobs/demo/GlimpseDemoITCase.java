package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.DeliveryAudit;
import dev.glimpse.schemas.AnalysisTask;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo end to end, in-process: broker, local cluster with web UI, producers and console for 30
 * s of streaming, then the stop by itself.
 */
class GlimpseDemoITCase {

    private static final Pattern WEB_UI = Pattern.compile("Flink web UI: (http://\\S+)");
    private static final Path BUNDLED_MODEL =
            Path.of("..", "model-serving", "models", "glimpse-tiny");

    private final ExecutorService runner = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopRunner() {
        runner.shutdownNow();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void printsResultsOfEveryTaskServesTheWebUiAndStopsByItself() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        DemoOptions options = new DemoOptions(Duration.ofSeconds(30), 2, 0, BUNDLED_MODEL);
        long t0 = System.nanoTime();
        Future<GlimpseDemo.Summary> run = runner.submit(() -> GlimpseDemo.run(options, out));

        String url = awaitWebUi(printed, run);
        HttpResponse<String> page =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .timeout(Duration.ofSeconds(20))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(run.isDone()).as("the demo still runs while the web UI is checked").isFalse();
        assertThat(page.statusCode()).as("GET " + url).isEqualTo(200);
        HttpResponse<String> jobs =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url + "jobs/overview")).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(jobs.body()).contains("glimpse-demo");

        GlimpseDemo.Summary summary = run.get(4, TimeUnit.MINUTES);
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        System.out.printf("demo run took %.1f s%n", (System.nanoTime() - t0) / 1e9);

        assertThat(summary.webUiUrl()).isEqualTo(url);
        for (AnalysisTask task : AnalysisTask.values()) {
            assertThat(text)
                    .as("a %s result line", task)
                    .containsPattern("(?m)^RESULT .* " + task + " .*latency=\\s*\\d+ms");
            assertThat(summary.results().get(task)).as("%s results", task).isPositive();
        }
        assertThat(summary.sent().get(AnalysisTask.CAPTION))
                .as("FrameGate skips near-duplicate camera frames")
                .isGreaterThan(summary.results().get(AnalysisTask.CAPTION));
        assertThat(text).contains("Stopping (--duration 30 s reached)");
        assertThat(text).contains("cluster closed");
        // every sent event accounted for: a result, a dead letter or a frame-gate skip record
        DeliveryAudit.Report audit = summary.audit();
        assertThat(text).contains(audit.line());
        assertThat(audit.sent()).isPositive();
        assertThat(audit.missing()).isZero();
        assertThat(audit.duplicates()).isZero();
        assertThat(audit.skipped()).as("near-duplicate frames skipped").isPositive();
        assertThat(audit.dead()).isEqualTo(summary.broken());
        assertThat(audit.committed() + audit.dead() + audit.skipped()).isEqualTo(audit.sent());
        // one accounting line per task beside it, every event of each task accounted for
        for (AnalysisTask task : AnalysisTask.values()) {
            assertThat(text)
                    .as("the %s audit line", task)
                    .containsPattern(
                            "(?m)^Task "
                                    + task
                                    + ": sent="
                                    + summary.sent().get(task)
                                    + " results=\\d+ dead=\\d+ skipped=\\d+ missing=0"
                                    + " p50=\\d+ms p99=\\d+ms$");
        }
        assertThat(text).containsPattern("(?m)^Checkpoints while streaming: completed=[1-9]\\d*");
        assertThat(kafkaThreadsAfter(Duration.ofSeconds(30))).isEmpty();
    }

    private static String awaitWebUi(ByteArrayOutputStream printed, Future<?> run)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = WEB_UI.matcher(printed.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            if (run.isDone()) {
                run.get();
                throw new AssertionError("The demo ended before printing the web UI URL");
            }
            Thread.sleep(200);
        }
        throw new AssertionError("No web UI URL printed: " + printed);
    }

    /** Threads named kafka* still alive once {@code grace} has passed (none expected). */
    private static List<String> kafkaThreadsAfter(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> left;
        do {
            left =
                    Thread.getAllStackTraces().keySet().stream()
                            .filter(Thread::isAlive)
                            .map(Thread::getName)
                            .filter(n -> n.toLowerCase(java.util.Locale.ROOT).startsWith("kafka"))
                            .sorted()
                            .toList();
            if (left.isEmpty()) {
                return left;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return left;
    }
}
