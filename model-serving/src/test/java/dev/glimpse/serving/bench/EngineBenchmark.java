package dev.glimpse.serving.bench;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.EngineStats;
import dev.glimpse.serving.engine.ImageSlice;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.model.ExecutorOptions;
import dev.glimpse.serving.model.ModelDirectory;
import dev.glimpse.serving.model.ModelManifest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Engine benchmark on the bundled (or given) model, printing in one run:
 *
 * <ol>
 *   <li>continuous batching vs sequential per-request generation at 1, 8 and 32 concurrent requests
 *       (same requests, same tokens; sequential = {@code maxNumSeqs 1});
 *   <li>TTFT of requests sharing [instruction + image] with a warm prefix cache, on vs off
 *       (identical tokens checked);
 *   <li>KV bytes Java copied per decode step over the batched runs (with joins and leaves), and per
 *       plain decode step (must be 0);
 *   <li>the 32 requests of the batching run through the PyTorch reference's greedy generation
 *       ({@link PytorchReference}), images/s next to Glimpse's;
 *   <li>a decode step at batch 32 next to its matrix multiplications alone ({@link
 *       DecodeStepLimit}).
 * </ol>
 *
 * <p>Sections 1, 3 and 5 run once per decoder graph of the model, the default first.
 *
 * <pre>
 * mvn -q -pl model-serving -am test-compile
 * mvn -q -pl model-serving exec:java -Dexec.skip=false -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.glimpse.serving.bench.EngineBenchmark [-Dexec.args="MODEL_DIR [NEW_TOKENS]"]
 * </pre>
 */
public final class EngineBenchmark {
    private EngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : ModelDirectory.locateBundled();
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = Integer.getInteger("glimpse.bench.threads", 2);
        try (ModelDirectory model = ModelDirectory.open(dir)) {
            System.out.printf(
                    "model %s %s at %s, %d new tokens per request, intra-op threads %d, %d cores%n",
                    model.manifest().name(),
                    model.manifest().version(),
                    dir,
                    newTokens,
                    threads,
                    Runtime.getRuntime().availableProcessors());
            ExecutorOptions options = ExecutorOptions.cpu().withIntraOpThreads(threads);
            // every decoder graph of the model, the default first, in the same run
            ModelManifest.Llm llm = model.manifest().llm();
            List<KvStyle> styles = new ArrayList<>(List.of(llm.decoderStyle()));
            llm.decoderFiles().keySet().stream()
                    .filter(st -> st != llm.decoderStyle())
                    .sorted()
                    .forEach(styles::add);
            Map<KvStyle, Batched32> batched = new EnumMap<>(KvStyle.class);
            for (KvStyle style : styles) {
                System.out.printf(
                        "%n#### decoder graph: %s (%s)%n",
                        style.manifestName(), llm.decoderFiles().get(style));
                batched.put(style, throughput(model, options.withDecoderStyle(style), newTokens));
            }
            System.out.printf(
                    "%n#### default decoder graph (%s)%n", llm.decoderStyle().manifestName());
            prefixTtft(model, options);
            pytorchReference(batched.get(llm.decoderStyle()), threads);
            for (KvStyle style : styles) {
                stepLimit(
                        dir, model, options.withDecoderStyle(style), batched.get(style), newTokens);
            }
        }
    }

    /** For ad-hoc probes. */
    public static EngineImage imageForTest(long seed) {
        return image(seed, 8, 0, 0);
    }

    static EngineImage image(long seed, int patches, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<ImageSlice> slices = new ArrayList<>();
        for (int s = 0; s < 1 + rows * cols; s++) {
            float[] px = new float[3 * 14 * 14 * patches * patches];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            slices.add(new ImageSlice(px, patches, patches));
        }
        return new EngineImage("bench-" + seed, slices, rows, cols);
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder()
                .maxNumBatchedTokens(1024)
                .maxNumSeqs(32)
                .numKvBlocks(2048)
                .maxQueuedRequests(1024);
    }

    private record Run(
            double seconds, List<List<Integer>> tokens, EngineStats stats, int promptTokens) {}

    /** The 32-request batching run, reused by the reference and step-limit sections. */
    private record Batched32(List<EngineRequest> requests, Run run, int promptTokens) {}

    private static Run run(
            ModelDirectory model,
            ExecutorOptions options,
            EngineConfig cfg,
            List<EngineRequest> reqs,
            List<EngineRequest> warmup)
            throws Exception {
        try (InferenceEngine engine = model.newEngine(cfg, options, new PrometheusRegistry())) {
            // warm-up with the same shapes over other images: allocators, JIT, thread pools
            List<CompletableFuture<EngineResult>> warm = new ArrayList<>();
            for (EngineRequest r : warmup) {
                warm.add(engine.submit(r));
            }
            for (CompletableFuture<EngineResult> f : warm) {
                f.get();
            }
            EngineStats before = engine.stats();
            long t0 = System.nanoTime();
            List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
            for (EngineRequest r : reqs) {
                fs.add(engine.submit(r));
            }
            List<List<Integer>> tokens = new ArrayList<>();
            int promptTokens = 0;
            for (CompletableFuture<EngineResult> f : fs) {
                EngineResult r = f.get(10, TimeUnit.MINUTES);
                tokens.add(r.tokenIds());
                promptTokens = r.promptTokens();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return new Run(s, tokens, minus(engine.stats(), before), promptTokens);
        }
    }

    private static EngineStats minus(EngineStats a, EngineStats b) {
        return new EngineStats(
                a.numSteps() - b.numSteps(),
                a.numDecodeSteps() - b.numDecodeSteps(),
                a.numPlainDecodeSteps() - b.numPlainDecodeSteps(),
                a.kvBytesCopied() - b.kvBytesCopied(),
                a.kvBytesCopiedInPlainDecodeSteps() - b.kvBytesCopiedInPlainDecodeSteps(),
                a.numGeneratedTokens() - b.numGeneratedTokens(),
                a.numPrefixQueryTokens() - b.numPrefixQueryTokens(),
                a.numPrefixHitTokens() - b.numPrefixHitTokens(),
                a.numEncoderQueries() - b.numEncoderQueries(),
                a.numEncoderHits() - b.numEncoderHits(),
                a.numVisionRuns() - b.numVisionRuns(),
                a.numImagesEncoded() - b.numImagesEncoded(),
                a.numRejected() - b.numRejected(),
                a.visionNanos() - b.visionNanos(),
                a.prefillNanos() - b.prefillNanos(),
                a.decodeNanos() - b.decodeNanos(),
                a.rebuildNanos() - b.rebuildNanos(),
                a.numGroupedPrefills() - b.numGroupedPrefills(),
                a.numKvEvictions() - b.numKvEvictions(),
                a.numIsolationRuns() - b.numIsolationRuns(),
                a.kvNativeBytes());
    }

    static Batched32 throughput(ModelDirectory model, ExecutorOptions options, int newTokens)
            throws Exception {
        Batched32 last = null;
        System.out.println();
        System.out.println(
                "== continuous batching vs sequential (caption, distinct 112x112 images, ignore stop) ==");
        System.out.println(
                "concurrent | sequential s | batched s | speedup | decode-phase speedup | tokens/s seq | tokens/s batched | same tokens");
        long copied = 0;
        long decodeSteps = 0;
        long plainSteps = 0;
        long plainCopied = 0;
        for (int c : new int[] {1, 8, 32}) {
            List<EngineRequest> reqs = new ArrayList<>();
            List<EngineRequest> warmup = new ArrayList<>();
            for (int i = 0; i < c; i++) {
                // staggered lengths so that rows leave the batch at different steps
                int n = newTokens - (i % 4) * Math.max(1, newTokens / 8);
                reqs.add(
                        EngineRequest.builder("b" + i, image(100 + i, 8, 0, 0), Task.CAPTION)
                                .maxNewTokens(n)
                                .ignoreStopTokens(true)
                                .build());
                warmup.add(
                        EngineRequest.builder("w" + i, image(5000 + i, 8, 0, 0), Task.CAPTION)
                                .maxNewTokens(n)
                                .ignoreStopTokens(true)
                                .build());
            }
            Run seq =
                    run(model, options, config().maxNumSeqs(1).build(), reqs, warmup.subList(0, 1));
            Run bat = run(model, options, config().build(), reqs, warmup);
            long tokens = bat.tokens().stream().mapToLong(List::size).sum();
            System.out.printf(
                    "%10d | %12.3f | %9.3f | %6.2fx | %19.2fx | %12.0f | %15.0f | %s%n",
                    c,
                    seq.seconds(),
                    bat.seconds(),
                    seq.seconds() / bat.seconds(),
                    (double) seq.stats().decodeNanos() / bat.stats().decodeNanos(),
                    tokens / seq.seconds(),
                    tokens / bat.seconds(),
                    seq.tokens().equals(bat.tokens()));
            for (Run r : List.of(seq, bat)) {
                EngineStats st = r.stats();
                System.out.printf(
                        "           %s: vision %.0f ms, prefill %.0f ms, decode %.0f ms in %d steps (%.2f ms/step), rebuild %.0f ms%n",
                        r == seq ? "sequential" : "batched   ",
                        st.visionNanos() / 1e6,
                        st.prefillNanos() / 1e6,
                        st.decodeNanos() / 1e6,
                        st.numDecodeSteps(),
                        st.decodeNanos() / 1e6 / Math.max(1, st.numDecodeSteps()),
                        st.rebuildNanos() / 1e6);
            }
            if (c == 32) {
                last = new Batched32(reqs, bat, bat.promptTokens());
            }
            copied += bat.stats().kvBytesCopied();
            decodeSteps += bat.stats().numDecodeSteps();
            plainSteps += bat.stats().numPlainDecodeSteps();
            plainCopied += bat.stats().kvBytesCopiedInPlainDecodeSteps();
        }
        System.out.println();
        System.out.println(
                "== KV bytes copied by Java (batched runs above, joins and leaves included) ==");
        System.out.printf(
                "decode steps %d, of which plain (same batch as before) %d%n",
                decodeSteps, plainSteps);
        System.out.printf(
                "KV bytes copied per decode step (average, incl. joins/leaves) = %.0f%n",
                (double) copied / decodeSteps);
        System.out.printf(
                "KV bytes copied per plain decode step = %d%n",
                plainSteps == 0 ? 0 : plainCopied / plainSteps);
        return last;
    }

    static void pytorchReference(Batched32 batched, int threads) throws Exception {
        System.out.println();
        System.out.printf(
                "== the same %d requests through the PyTorch reference (greedy, one at a time, %d threads) ==%n",
                batched.requests().size(), threads);
        PytorchReference.run(batched.requests(), threads)
                .ifPresent(
                        ref -> {
                            double glimpse = batched.requests().size() / batched.run().seconds();
                            double torch = ref.path("images_per_s").asDouble();
                            int same = 0;
                            for (int i = 0; i < batched.requests().size(); i++) {
                                List<Integer> theirs = new ArrayList<>();
                                ref.path("token_ids").path(i).forEach(t -> theirs.add(t.asInt()));
                                same += theirs.equals(batched.run().tokens().get(i)) ? 1 : 0;
                            }
                            System.out.printf(
                                    "reference: %s images in %s s, torch %s, weights: %s%n",
                                    ref.path("images"),
                                    ref.path("seconds"),
                                    ref.path("torch").asText(),
                                    ref.path("weights").asText());
                            System.out.printf(
                                    "images/s: Glimpse batched %.2f, PyTorch reference %.2f -> %.2fx;"
                                            + " identical tokens in %d of %d requests%n",
                                    glimpse,
                                    torch,
                                    glimpse / torch,
                                    same,
                                    batched.requests().size());
                        });
    }

    static void stepLimit(
            Path dir,
            ModelDirectory model,
            ExecutorOptions options,
            Batched32 batched,
            int newTokens)
            throws Exception {
        // the mean past length of the batching run: the prompt plus half the generated tokens
        int past = batched.promptTokens() + newTokens / 2;
        ModelManifest.Llm llm = model.manifest().llm();
        KvStyle style =
                options.decoderStyle() == null ? llm.decoderStyle() : options.decoderStyle();
        String file = llm.decoderFiles().get(style);
        System.out.println();
        System.out.printf(
                "== %s decode step vs its matrix multiplications alone (batch 32, past length %d) ==%n",
                style.manifestName(), past);
        Optional<double[]> measured =
                DecodeStepLimit.measure(dir, model.manifest(), options, style, 32, past);
        if (measured.isEmpty()) {
            return;
        }
        double[] ms = measured.get();
        EngineStats st = batched.run().stats();
        double engineStep = st.decodeNanos() / 1e6 / Math.max(1, st.numDecodeSteps());
        System.out.printf(
                "engine decode step (batching run, batch <= 32, Java included) %.2f ms%n",
                engineStep);
        System.out.printf("%-60s %.2f ms%n", file + " step alone at batch 32", ms[0]);
        System.out.printf(
                "its matrix multiplications alone (37 MatMul)                 %.2f ms%n", ms[1]);
        System.out.printf(
                "ratio decoder step / matmuls = %.2fx, engine step / matmuls = %.2fx%n",
                ms[0] / ms[1], engineStep / ms[1]);
    }

    static void prefixTtft(ModelDirectory model, ExecutorOptions options) throws Exception {
        System.out.println();
        System.out.println(
                "== TTFT with a shared [instruction + image] prefix (3x3-sliced image, 10 slices) ==");
        EngineImage shared = image(7, 8, 3, 3);
        int samples = 30;
        // both engines live at once and requests alternate between them, so that the load of this
        // shared machine drifts equally over the two modes
        try (InferenceEngine on =
                        model.newEngine(
                                config().prefixCaching(true).build(),
                                options,
                                new PrometheusRegistry());
                InferenceEngine off =
                        model.newEngine(
                                config().prefixCaching(false).build(),
                                options,
                                new PrometheusRegistry())) {
            for (InferenceEngine e : List.of(on, off)) {
                // warm the encoder cache (on in both), the prefix cache (on only) and the JIT
                e.submit(
                                EngineRequest.builder("warm", shared, Task.CAPTION)
                                        .maxNewTokens(2)
                                        .build())
                        .get();
            }
            long[][] ttft = new long[2][samples];
            boolean same = true;
            int promptTokens = 0;
            int cached = 0;
            for (int k = 0; k < samples; k++) {
                EngineRequest r =
                        EngineRequest.builder("p" + k, shared, Task.CAPTION)
                                .question("Question number " + k + "?")
                                .maxNewTokens(4)
                                .build();
                EngineResult a = on.submit(r).get();
                EngineResult b = off.submit(r).get();
                ttft[0][k] = a.timeToFirstTokenNanos();
                ttft[1][k] = b.timeToFirstTokenNanos();
                same &= a.tokenIds().equals(b.tokenIds());
                promptTokens = a.promptTokens();
                cached = a.cachedPromptTokens();
            }
            Arrays.sort(ttft[0]);
            Arrays.sort(ttft[1]);
            double medOn = ttft[0][samples / 2] / 1e6;
            double medOff = ttft[1][samples / 2] / 1e6;
            System.out.printf(
                    "prompt %d tokens, %d served from the prefix cache when on; %d samples each, interleaved%n",
                    promptTokens, cached, samples);
            System.out.printf("median TTFT prefix cache on  = %.2f ms%n", medOn);
            System.out.printf("median TTFT prefix cache off = %.2f ms%n", medOff);
            System.out.printf(
                    "TTFT ratio off/on = %.2fx, identical tokens: %s%n", medOff / medOn, same);
        }
    }
}
