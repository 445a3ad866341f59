package dev.glimpse.serving.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.FinishReason;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.model.ExecutorOptions;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelDirectory;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The engine's metrics as Prometheus scrapes them: the bundled model behind an {@link HTTPServer}
 * over the engine's registry, requests of all three tasks (repeated images, so both caches hit),
 * {@code /metrics} scraped from another thread while they run and once at the end. Every metric of
 * the Engine table in docs/metrics.md must be in the scrape.
 */
class EngineMetricsITCase {

    private static final Path METRICS_DOC = Path.of("..", "docs", "metrics.md");
    private static final Pattern DOC_ROW =
            Pattern.compile("^\\| `(glimpse_engine_[a-z_]+)` \\| (counter|gauge|histogram) \\|");

    /** (image, task) pairs; each is submitted twice. */
    private static final List<Object[]> WORK =
            List.of(
                    new Object[] {"caption_112x112.png", Task.CAPTION},
                    new Object[] {"caption_210x150_sliced.png", Task.CAPTION},
                    new Object[] {"ocr_word.png", Task.OCR},
                    new Object[] {"ocr_line_sliced.png", Task.OCR},
                    new Object[] {"moderation_scene_skull.png", Task.MODERATION},
                    new Object[] {"moderation_page_biohazard.png", Task.MODERATION});

    /** Documented names as they appear in the exposition (histograms by their _count). */
    private static List<String> documentedSeries() throws Exception {
        List<String> series = new ArrayList<>();
        for (String line : Files.readAllLines(METRICS_DOC)) {
            Matcher m = DOC_ROW.matcher(line);
            if (m.find()) {
                if (m.group(2).equals("histogram")) {
                    series.add(m.group(1) + "_bucket");
                    series.add(m.group(1) + "_count");
                    series.add(m.group(1) + "_sum");
                } else {
                    series.add(m.group(1));
                }
            }
        }
        return series;
    }

    /** Sample names of a text exposition (the part before labels or the value). */
    private static List<String> sampleNames(String scrape) {
        List<String> names = new ArrayList<>();
        for (String line : scrape.lines().toList()) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /**
     * The value of the sample {@code name} whose labels (with braces) are exactly {@code labels}.
     */
    private static double value(String scrape, String name, String labels) {
        String prefix = name + labels + " ";
        for (String line : scrape.lines().toList()) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(prefix.length()).split(" ")[0]);
            }
        }
        throw new AssertionError("no sample " + name + labels + " in\n" + scrape);
    }

    private static String scrape(HttpClient http, int port) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aScrapeDuringAndAfterRequestsOfAllTasksHoldsEveryDocumentedEngineMetric()
            throws Exception {
        List<String> documented = documentedSeries();
        assertThat(documented).hasSize(18 + 3 * 3);
        Path dir = ModelDirectory.locateBundled();
        assumeTrue(ModelDirectory.isComplete(dir), "bundled model not present at " + dir);
        PrometheusRegistry registry = new PrometheusRegistry();
        HttpClient http = HttpClient.newHttpClient();
        try (ModelDirectory model = ModelDirectory.open(dir);
                InferenceEngine engine =
                        model.newEngine(
                                EngineConfig.builder().build(), ExecutorOptions.cpu(), registry);
                HTTPServer server =
                        HTTPServer.builder()
                                .hostname("127.0.0.1")
                                .port(0)
                                .registry(registry)
                                .buildAndStart()) {
            ImagePreprocessor preprocessor =
                    new ImagePreprocessor(model.manifest(), DecodeLimits.DEFAULTS);
            List<EngineRequest> requests = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Object[] w : WORK) {
                    String image = (String) w[0];
                    Task task = (Task) w[1];
                    EngineImage img =
                            preprocessor.prepare(
                                    Files.readAllBytes(dir.resolve("golden").resolve(image)),
                                    image,
                                    task);
                    EngineRequest.Builder b = EngineRequest.builder(round + "-" + image, img, task);
                    if (task == Task.CAPTION) {
                        // long enough that scrapes overlap decoding
                        b.maxNewTokens(48).ignoreStopTokens(true);
                    }
                    requests.add(b.build());
                }
            }

            // the first scrape warms the HTTP server and client up (class loading, connection),
            // so that the scrapes during the run take milliseconds, not the whole run
            scrape(http, server.getPort());
            List<CompletableFuture<EngineResult>> futures = new ArrayList<>();
            for (EngineRequest r : requests) {
                futures.add(engine.submit(r));
            }
            CompletableFuture<Void> all =
                    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
            List<String> midRun = new ArrayList<>();
            CompletableFuture<Void> scraper =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    while (!all.isDone()) {
                                        String text = scrape(http, server.getPort());
                                        if (!all.isDone()) {
                                            synchronized (midRun) {
                                                midRun.add(text);
                                            }
                                        }
                                    }
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            });
            all.get(300, TimeUnit.SECONDS);
            scraper.get(60, TimeUnit.SECONDS);
            String last = scrape(http, server.getPort());

            synchronized (midRun) {
                assertThat(midRun).as("scrapes while requests ran").isNotEmpty();
                assertThat(sampleNames(midRun.get(0))).containsAll(documented);
            }
            assertThat(sampleNames(last)).containsAll(documented);
            long generated = 0;
            for (CompletableFuture<EngineResult> f : futures) {
                EngineResult r = f.join();
                // a stop token is sampled (and counted) but not returned
                generated +=
                        r.task() == Task.MODERATION
                                ? r.scores().size()
                                : r.tokenIds().size()
                                        + (r.finishReason() == FinishReason.STOP ? 1 : 0);
            }
            assertThat(value(last, "glimpse_engine_generated_tokens_total", ""))
                    .isPositive()
                    .isEqualTo((double) generated);
            assertThat(value(last, "glimpse_engine_requests_total", "{outcome=\"ok\"}"))
                    .isEqualTo(requests.size());
            assertThat(value(last, "glimpse_engine_requests_total", "{outcome=\"failed\"}"))
                    .isZero();
            assertThat(value(last, "glimpse_engine_execution_provider_info", "{provider=\"cpu\"}"))
                    .isEqualTo(1.0);
            assertThat(value(last, "glimpse_engine_decoder_info", "{style=\"gqa\"}"))
                    .isEqualTo(1.0);
            assertThat(
                            value(last, "glimpse_engine_encoder_cache_hits_total", "")
                                    + value(last, "glimpse_engine_prefix_cache_hits_total", ""))
                    .as("the second round's images are cached")
                    .isPositive();
            assertThat(value(last, "glimpse_engine_sequences_running", "")).isZero();
            assertThat(value(last, "glimpse_engine_time_to_first_token_seconds_count", ""))
                    .isPositive();
        }
    }
}
