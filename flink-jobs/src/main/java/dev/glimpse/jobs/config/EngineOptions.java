package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.bool;
import static dev.glimpse.jobs.config.GlimpseOption.duration;
import static dev.glimpse.jobs.config.GlimpseOption.integer;
import static dev.glimpse.jobs.config.GlimpseOption.longInteger;
import static dev.glimpse.jobs.config.GlimpseOption.string;

import dev.glimpse.operators.analyze.EngineSettings;
import dev.glimpse.serving.engine.kv.KvStyle;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The model directory and the {@code engine.*} options: the shared engine per TaskManager and how
 * Analyze treats it. Keys carry the names of the fields they set ({@link EngineSettings}, {@code
 * EngineConfig}); the pre-1.0 names are read as deprecated aliases.
 */
public final class EngineOptions {

    private EngineOptions() {}

    public static final GlimpseOption<String> MODEL_DIR =
            string(
                    "model.dir",
                    null,
                    "Model directory on every TaskManager (required; the demo passes the bundled model).");

    /** "CPU" or "CUDA" (upper case). */
    public static final GlimpseOption<String> EXECUTION_PROVIDER =
            GlimpseOption.of(
                    "engine.executionProvider",
                    "CPU",
                    "CPU or CUDA (CUDA falls back to CPU with a WARN when unavailable).",
                    (k, v) -> {
                        String p = v.toUpperCase(Locale.ROOT);
                        if (!p.equals("CPU") && !p.equals("CUDA")) {
                            throw new IllegalArgumentException(
                                    k + " must be CPU or CUDA, was '" + v + "'");
                        }
                        return p;
                    });

    public static final GlimpseOption<Integer> MAX_NUM_SEQS =
            integer("engine.maxNumSeqs", 16, 1, 4096, "Sequences decoded together per step.")
                    .withDeprecatedKeys("engine.batching.maxNumSeqs");

    public static final GlimpseOption<Integer> MAX_NUM_BATCHED_TOKENS =
            integer(
                            "engine.maxNumBatchedTokens",
                            1024,
                            1,
                            1 << 20,
                            "Tokens (prefill chunks + decode rows) per step.")
                    .withDeprecatedKeys("engine.batching.maxNumBatchedTokens");

    public static final GlimpseOption<Integer> MAX_QUEUED_REQUESTS =
            integer(
                            "engine.maxQueuedRequests",
                            256,
                            1,
                            1 << 20,
                            "Requests accepted by the engine but not started; beyond that it"
                                    + " reports overload (glimpse_engine_rejections_total) and"
                                    + " Analyze retries.")
                    .withDeprecatedKeys("engine.batching.maxWaitingRequests");

    public static final GlimpseOption<Integer> MAX_IMAGES_PER_VISION_RUN =
            integer(
                            "engine.maxImagesPerVisionRun",
                            8,
                            1,
                            1024,
                            "Images encoded together per vision graph run.")
                    .withDeprecatedKeys("engine.batching.maxEncoderBatchSize");

    public static final GlimpseOption<Integer> NUM_KV_BLOCKS =
            integer("engine.numKvBlocks", 2048, 1, 1 << 24, "KV blocks of 16 tokens in the pool.")
                    .withDeprecatedKeys("engine.kvBlocks");

    public static final GlimpseOption<Boolean> PREFIX_CACHING =
            bool("engine.prefixCaching", true, "Reuse the KV of shared prompt prefixes.");

    public static final GlimpseOption<Long> ENCODER_CACHE_BYTES =
            longInteger(
                    "engine.encoderCacheBytes",
                    64L << 20,
                    0,
                    Long.MAX_VALUE,
                    "Bytes of vision outputs cached by image hash (0 = off).");

    public static final GlimpseOption<Integer> MAX_CATEGORIES =
            integer(
                    "engine.maxCategories",
                    32,
                    1,
                    4096,
                    "Moderation categories one event may name (each is a sequence);"
                            + " more: TOO_MANY_CATEGORIES.");

    public static final GlimpseOption<Integer> MAX_CATEGORY_CHARS =
            integer(
                    "engine.maxCategoryChars",
                    64,
                    1,
                    1 << 16,
                    "Characters one moderation category may have; longer: CATEGORY_TOO_LONG.");

    public static final GlimpseOption<Long> KV_MEMORY_BYTES =
            longInteger(
                    "engine.kvMemoryBytes",
                    0,
                    0,
                    Long.MAX_VALUE,
                    "Native memory of all KV buffers together (pool, per-sequence and batch);"
                            + " 0 = derived from numKvBlocks, maxNumSeqs and the model's"
                            + " maxPositions (glimpse_engine_kv_native_budget_bytes).");

    public static final GlimpseOption<Integer> OLDEST_FIRST_EVERY =
            integer(
                    "engine.oldestFirstEvery",
                    4,
                    1,
                    1 << 16,
                    "Starvation bound of the task priorities: of every N admissions at least one"
                            + " goes to the oldest waiting request, whatever its priority (1 ="
                            + " oldest first, priorities ignored).");

    public static final GlimpseOption<Integer> INTRA_OP_THREADS =
            integer(
                    "engine.intraOpThreads",
                    2,
                    1,
                    256,
                    "ONNX Runtime threads per graph run (without spin-waiting).");

    /** Empty: the model's default decoder graph. */
    public static final GlimpseOption<Optional<KvStyle>> DECODER_STYLE =
            GlimpseOption.of(
                    "engine.decoderStyle",
                    "auto",
                    "Decoder graph: auto (the model's default; its concat graph on CUDA), gqa or concat.",
                    (k, v) -> {
                        if (v.equalsIgnoreCase("auto")) {
                            return Optional.empty();
                        }
                        try {
                            return Optional.of(KvStyle.ofManifest(v));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(
                                    k + " must be auto, gqa or concat, was '" + v + "'");
                        }
                    });

    public static final GlimpseOption<Duration> REQUEST_TIMEOUT =
            duration(
                    "engine.requestTimeout",
                    "60 s",
                    "Engine-side deadline per request (TIMEOUT dead letter).");

    public static final GlimpseOption<Integer> MAX_OVERLOAD_RETRIES =
            integer(
                    "engine.maxOverloadRetries",
                    20,
                    0,
                    100_000,
                    "Resubmissions of a request the engine refused as overloaded, then an"
                            + " OVERLOADED dead letter (0 = none).");

    public static final GlimpseOption<Duration> OVERLOAD_RETRY_DELAY =
            GlimpseOption.of(
                    "engine.overloadRetryDelay",
                    "50 ms",
                    "Pause before each resubmission of an overloaded request (at least 1 ms).",
                    (k, v) -> {
                        Duration d = GlimpseOption.parseDuration(k, v);
                        if (d.toMillis() < 1) {
                            throw new IllegalArgumentException(
                                    k + " must be at least 1 ms, was '" + v + "'");
                        }
                        return d;
                    });

    public static final GlimpseOption<Integer> METRICS_PORT =
            integer(
                    "engine.metrics.port",
                    -1,
                    -1,
                    65535,
                    "Engine Prometheus endpoint port per TaskManager (-1 = off, 0 = any).");

    public static final GlimpseOption<String> METRICS_HOST =
            string(
                    "engine.metrics.host",
                    "127.0.0.1",
                    "Address the engine endpoint binds (0.0.0.0 in a pod).");

    /** The engine settings in {@code values} for the model in {@code modelDir}. */
    static EngineSettings read(OptionValues values, String modelDir) {
        return EngineSettings.builder(modelDir)
                .maxNumSeqs(values.get(MAX_NUM_SEQS))
                .maxNumBatchedTokens(values.get(MAX_NUM_BATCHED_TOKENS))
                .maxQueuedRequests(values.get(MAX_QUEUED_REQUESTS))
                .maxImagesPerVisionRun(values.get(MAX_IMAGES_PER_VISION_RUN))
                .numKvBlocks(values.get(NUM_KV_BLOCKS))
                .prefixCaching(values.get(PREFIX_CACHING))
                .encoderCacheBytes(values.get(ENCODER_CACHE_BYTES))
                .maxCategories(values.get(MAX_CATEGORIES))
                .maxCategoryChars(values.get(MAX_CATEGORY_CHARS))
                .kvMemoryBytes(values.get(KV_MEMORY_BYTES))
                .oldestFirstEvery(values.get(OLDEST_FIRST_EVERY))
                .tryCuda(values.get(EXECUTION_PROVIDER).equals("CUDA"))
                .intraOpThreads(values.get(INTRA_OP_THREADS))
                .metricsPort(values.get(METRICS_PORT))
                .metricsHost(values.get(METRICS_HOST))
                .decoderStyle(values.get(DECODER_STYLE).orElse(null))
                .build();
    }
}
