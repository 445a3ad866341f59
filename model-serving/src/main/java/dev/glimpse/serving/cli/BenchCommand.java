package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.RgbImage;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * {@code glimpse bench [options]}: a short closed-loop throughput measurement of the engine. For
 * each concurrency C, N distinct synthetic noise images (no cache hits) are run with at most C in
 * flight, each generating exactly {@code --max-new-tokens} tokens (stop tokens ignored); prints one
 * JSON line per concurrency with images/s and generated tokens/s.
 */
final class BenchCommand implements Subcommand {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure engine throughput (images/s, tokens/s) at several concurrencies";
    }

    @Override
    public String usage() {
        return """
                usage: glimpse bench [options]

                Prints one JSON object per concurrency:
                  {"task":..,"concurrency":C,"images":N,"maxNewTokens":T,"imageSize":[w,h],
                   "seconds":..,"imagesPerSecond":..,"tokensPerSecond":..,
                   "ttftMsP50":..,"totalMsP50":..}

                options:
                  --model DIR          model directory (default: the bundled glimpse-tiny)
                  --images N           images per concurrency (default 32)
                  --concurrency a,b    requests in flight (default 1,8,32)
                  --max-new-tokens N   tokens generated per image (default 16)
                  --task caption|ocr   (default caption)
                  --size N             synthetic images are N x N pixels (default 112)
                  --threads N          ONNX Runtime intra-op threads
                """;
    }

    @Override
    public int run(List<String> args, BufferedReader in, PrintStream out) throws UsageException {
        CliOptions options =
                CliOptions.parse(
                        args,
                        Set.of(
                                "--model",
                                "--images",
                                "--concurrency",
                                "--max-new-tokens",
                                "--task",
                                "--size",
                                "--threads"));
        if (!options.positional().isEmpty()) {
            throw new UsageException("unexpected arguments " + options.positional());
        }
        int images = options.positiveInt("--images", 32);
        List<Integer> concurrencies = options.positiveInts("--concurrency", List.of(1, 8, 32));
        int maxNewTokens = options.positiveInt("--max-new-tokens", 16);
        int size = options.positiveInt("--size", 112);
        Task task =
                switch (options.string("--task").orElse("caption")) {
                    case "caption" -> Task.CAPTION;
                    case "ocr" -> Task.OCR;
                    default ->
                            throw new UsageException(
                                    "--task expects caption or ocr, got '"
                                            + options.string("--task").get()
                                            + "'");
                };
        JsonLines json = new JsonLines(out);
        try (EngineSession session = EngineSession.open(options, images)) {
            run(session, task, List.of(noise(size, -1)), 1, maxNewTokens); // warm-up
            for (int c = 0; c < concurrencies.size(); c++) {
                int concurrency = concurrencies.get(c);
                List<RgbImage> pictures = new ArrayList<>();
                for (int i = 0; i < images; i++) {
                    pictures.add(noise(size, (long) c * images + i));
                }
                long start = System.nanoTime();
                List<EngineResult> results =
                        run(session, task, pictures, concurrency, maxNewTokens);
                double seconds = (System.nanoTime() - start) / 1e9;
                long tokens = results.stream().mapToLong(r -> r.tokenIds().size()).sum();
                ObjectNode line = JsonLines.object();
                line.put("task", task.name().toLowerCase(Locale.ROOT));
                line.put("concurrency", concurrency);
                line.put("images", images);
                line.put("maxNewTokens", maxNewTokens);
                line.putArray("imageSize").add(size).add(size);
                line.put("seconds", round(seconds));
                line.put("imagesPerSecond", round(images / seconds));
                line.put("tokensPerSecond", round(tokens / seconds));
                line.put(
                        "ttftMsP50",
                        JsonLines.millis(
                                median(
                                        results.stream()
                                                .mapToLong(r -> r.timeToFirstTokenNanos()))));
                line.put(
                        "totalMsP50",
                        JsonLines.millis(median(results.stream().mapToLong(r -> r.totalNanos()))));
                json.write(line);
            }
        }
        return 0;
    }

    /**
     * Runs all pictures with at most {@code concurrency} requests in flight; fails on any error.
     */
    private static List<EngineResult> run(
            EngineSession session,
            Task task,
            List<RgbImage> pictures,
            int concurrency,
            int maxNewTokens) {
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<EngineResult>> futures = new ArrayList<>();
        AtomicLong ids = new AtomicLong();
        for (RgbImage picture : pictures) {
            EngineImage image = session.preprocessor().prepare(picture, task);
            inFlight.acquireUninterruptibly();
            CompletableFuture<EngineResult> f =
                    session.engine()
                            .submit(
                                    EngineRequest.builder(
                                                    "bench-" + ids.incrementAndGet(), image, task)
                                            .maxNewTokens(maxNewTokens)
                                            .ignoreStopTokens(true)
                                            .build());
            f.whenComplete((r, e) -> inFlight.release());
            futures.add(f);
        }
        List<EngineResult> results = new ArrayList<>();
        for (CompletableFuture<EngineResult> f : futures) {
            results.add(f.join());
        }
        return results;
    }

    /** Uniform random RGB noise: every image distinct, so neither cache helps. */
    private static RgbImage noise(int size, long seed) {
        byte[] px = new byte[size * size * RgbImage.CHANNELS];
        new SplittableRandom(seed).nextBytes(px);
        return RgbImage.wrap(size, size, px);
    }

    private static long median(LongStream values) {
        long[] sorted = values.sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
