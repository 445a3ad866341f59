package dev.glimpse.serving.engine.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The engine's Prometheus metrics, registered on the registry passed in (never the global one).
 * Names start with {@code glimpse_engine_}; docs/metrics.md describes each.
 */
public final class EngineMetrics {
    private static final double[] LATENCY_BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    /** Label values exposed at 0 from the start, so every series is scraped before it counts. */
    static final String[] STAGES = {"prompt", "vision", "embed", "prefill", "decode", "sample"};

    static final String[] OUTCOMES = {"ok", "cancelled", "deadline", "failed", "closed", "skipped"};

    static final String[] TASKS = {"caption", "ocr", "moderation"};

    final Gauge queued;
    final Gauge waiting;
    final Gauge running;
    final Histogram batchSize;
    final Counter generatedTokens;
    final Histogram timeToFirstToken;
    final Histogram timePerOutputToken;
    final Gauge kvUsage;
    final Gauge kvNativeBytes;
    final Gauge kvNativeBudget;
    final Counter prefixQueries;
    final Counter prefixHits;
    final Counter encoderQueries;
    final Counter encoderHits;
    final Counter rejections;
    final Counter errors;
    final Gauge executionProvider;
    final Gauge decoder;
    final Counter kvBytesCopied;
    final Counter requests;
    final Counter skipped;

    public EngineMetrics(
            PrometheusRegistry registry, String executionProvider, String decoderStyle) {
        queued =
                Gauge.builder()
                        .name("glimpse_engine_requests_queued")
                        .help("Requests accepted but not started (bounded by maxQueuedRequests)")
                        .register(registry);
        waiting =
                Gauge.builder()
                        .name("glimpse_engine_sequences_waiting")
                        .help("Sequences in the scheduler's queue, not holding KV yet")
                        .register(registry);
        running =
                Gauge.builder()
                        .name("glimpse_engine_sequences_running")
                        .help("Sequences holding KV (prefilling or decoding)")
                        .register(registry);
        batchSize =
                Histogram.builder()
                        .name("glimpse_engine_batch_size")
                        .help("Sequences computed per engine step")
                        .classicOnly()
                        .classicUpperBounds(BATCH_BUCKETS)
                        .register(registry);
        generatedTokens =
                Counter.builder()
                        .name("glimpse_engine_generated_tokens_total")
                        .help("Tokens sampled (rate() gives tokens/s)")
                        .register(registry);
        timeToFirstToken =
                Histogram.builder()
                        .name("glimpse_engine_time_to_first_token_seconds")
                        .help("Submit to first sampled token")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .register(registry);
        timePerOutputToken =
                Histogram.builder()
                        .name("glimpse_engine_time_per_output_token_seconds")
                        .help("Time between consecutive tokens of one sequence")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .register(registry);
        kvUsage =
                Gauge.builder()
                        .name("glimpse_engine_kv_usage_ratio")
                        .help("Fraction of KV blocks referenced by running sequences")
                        .register(registry);
        kvNativeBytes =
                Gauge.builder()
                        .name("glimpse_engine_kv_native_bytes")
                        .help("Native (direct) memory held by the KV cache's buffers")
                        .register(registry);
        kvNativeBudget =
                Gauge.builder()
                        .name("glimpse_engine_kv_native_budget_bytes")
                        .help("The KV cache's native memory budget (engine.kvMemoryBytes)")
                        .register(registry);
        prefixQueries =
                Counter.builder()
                        .name("glimpse_engine_prefix_cache_queries_total")
                        .help("Prompt tokens looked up in the prefix cache")
                        .register(registry);
        prefixHits =
                Counter.builder()
                        .name("glimpse_engine_prefix_cache_hits_total")
                        .help("Prompt tokens served from the prefix cache")
                        .register(registry);
        encoderQueries =
                Counter.builder()
                        .name("glimpse_engine_encoder_cache_queries_total")
                        .help("Images looked up in the encoder cache")
                        .register(registry);
        encoderHits =
                Counter.builder()
                        .name("glimpse_engine_encoder_cache_hits_total")
                        .help("Images served from the encoder cache")
                        .register(registry);
        rejections =
                Counter.builder()
                        .name("glimpse_engine_rejections_total")
                        .help("Submissions refused because the admission queue was full")
                        .register(registry);
        errors =
                Counter.builder()
                        .name("glimpse_engine_errors_total")
                        .help("Failed model runs by stage")
                        .labelNames("stage")
                        .register(registry);
        this.executionProvider =
                Gauge.builder()
                        .name("glimpse_engine_execution_provider_info")
                        .help("1 for the execution provider running the graphs")
                        .labelNames("provider")
                        .register(registry);
        this.executionProvider.labelValues(executionProvider).set(1);
        this.decoder =
                Gauge.builder()
                        .name("glimpse_engine_decoder_info")
                        .help("1 for the decoder graph style running (gqa, concat)")
                        .labelNames("style")
                        .register(registry);
        this.decoder.labelValues(decoderStyle).set(1);
        kvBytesCopied =
                Counter.builder()
                        .name("glimpse_engine_kv_bytes_copied_total")
                        .help(
                                "KV bytes copied by Java (batch joins/leaves, prefix-cache loads/stores)")
                        .register(registry);
        requests =
                Counter.builder()
                        .name("glimpse_engine_requests_total")
                        .help("Completed requests by outcome")
                        .labelNames("outcome")
                        .register(registry);
        for (String stage : STAGES) {
            errors.labelValues(stage);
        }
        for (String outcome : OUTCOMES) {
            requests.labelValues(outcome);
        }
        skipped =
                Counter.builder()
                        .name("glimpse_engine_skipped_total")
                        .help(
                                "Requests skipped unanalysed: older than their task's deadline"
                                        + " (from the event time) before they could start")
                        .labelNames("task")
                        .register(registry);
        for (String task : TASKS) {
            skipped.labelValues(task);
        }
    }

    /**
     * The queue gauges: requests accepted but not started (what {@code maxQueuedRequests} bounds),
     * sequences waiting in the scheduler (a moderation request has one per category) and running.
     */
    public void queues(int numQueued, int numWaiting, int numRunning, double kvUsageRatio) {
        queued.set(numQueued);
        waiting.set(numWaiting);
        running.set(numRunning);
        kvUsage.set(kvUsageRatio);
    }

    /** Native bytes the KV buffers hold, and their budget. */
    public void kvNative(long bytes, long budgetBytes) {
        kvNativeBytes.set(bytes);
        kvNativeBudget.set(budgetBytes);
    }

    public void step(int numSequences) {
        batchSize.observe(numSequences);
    }

    public void tokens(int n) {
        generatedTokens.inc(n);
    }

    public void firstToken(long nanos) {
        timeToFirstToken.observe(nanos / 1e9);
    }

    public void interTokenGap(long nanos) {
        timePerOutputToken.observe(nanos / 1e9);
    }

    public void prefixCache(int queryTokens, int hitTokens) {
        if (queryTokens > 0) {
            prefixQueries.inc(queryTokens);
            prefixHits.inc(hitTokens);
        }
    }

    public void encoderCache(int queries, int hits) {
        if (queries > 0) {
            encoderQueries.inc(queries);
            encoderHits.inc(hits);
        }
    }

    public void rejected() {
        rejections.inc();
    }

    public void error(String stage) {
        errors.labelValues(stage).inc();
    }

    public void kvCopied(long bytes) {
        if (bytes > 0) {
            kvBytesCopied.inc(bytes);
        }
    }

    /** A request of {@code task} (lower case) was skipped as stale. */
    public void skipped(String task) {
        skipped.labelValues(task).inc();
    }

    public void completed(String outcome) {
        requests.labelValues(outcome).inc();
    }
}
