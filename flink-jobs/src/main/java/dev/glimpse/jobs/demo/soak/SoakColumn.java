package dev.glimpse.jobs.demo.soak;

/**
 * The columns of the soak time series, in CSV order; the CSV header is their {@link #header()}
 * names. A value that could not be measured in an interval is NaN (an empty CSV cell).
 */
public enum SoakColumn {
    /** Seconds since the recorder started (the job was already running). */
    ELAPSED_S("elapsed_s"),
    /** Results (analyses, not skips) committed in the interval, per second; all tasks. */
    RESULTS_PER_S("results_per_s"),
    CAPTIONS_PER_S("captions_per_s"),
    OCR_PER_S("ocr_per_s"),
    MODERATION_PER_S("moderation_per_s"),
    /** Dead letters committed in the interval, per second. */
    DEAD_LETTERS_PER_S("dead_letters_per_s"),
    /**
     * Median of the interval's results' {@code timings.endToEndMs}: event time to result emitted.
     */
    LATENCY_P50_MS("latency_p50_ms"),
    LATENCY_P99_MS("latency_p99_ms"),
    /**
     * Per task, the 99th percentile of the interval's results of that task alone: under overload
     * the all-task p99 is the slowest task's (OCR), and the priorities show only per task.
     */
    CAPTION_P99_MS("caption_p99_ms"),
    OCR_P99_MS("ocr_p99_ms"),
    MODERATION_P99_MS("moderation_p99_ms"),
    /**
     * 99th percentile of event time to the result being read from the results topic: adds the wait
     * for the checkpoint that commits it (read_committed).
     */
    VISIBLE_P99_MS("visible_p99_ms"),
    /** Heap in use right after the most recent garbage collection (any collector). */
    HEAP_AFTER_GC_BYTES("heap_after_gc_bytes"),
    HEAP_COMMITTED_BYTES("heap_committed_bytes"),
    /** The resident part of the heap: {@code Rss} of the heap's mappings in /proc/self/smaps. */
    HEAP_RESIDENT_BYTES("heap_resident_bytes"),
    /** Metaspace, code cache, compressed class space: committed. */
    NON_HEAP_COMMITTED_BYTES("non_heap_committed_bytes"),
    /** Direct and mapped NIO buffer pools (includes the KV cache's direct buffers). */
    BUFFER_POOLS_BYTES("buffer_pools_bytes"),
    /** Resident set size of the process(es) running the engine (/proc/PID/status VmRSS). */
    RSS_BYTES("rss_bytes"),
    /**
     * RSS minus resident heap, non-heap committed and buffer pools: an estimate of native memory
     * the JVM does not account for, mostly ONNX Runtime's arenas, its sessions' weights and glibc
     * malloc, plus thread stacks and the JVM's own (GC, JIT) structures.
     */
    NATIVE_ESTIMATE_BYTES("native_estimate_bytes"),
    /** The engine's {@code glimpse_engine_kv_native_bytes} gauge. */
    KV_NATIVE_BYTES("kv_native_bytes"),
    /**
     * The longest end-to-end duration of the checkpoints completed in the interval (Flink REST
     * checkpoint history); NaN if none completed.
     */
    CHECKPOINT_DURATION_MS("checkpoint_duration_ms"),
    /**
     * The latest completed checkpoint's checkpointed size (Flink REST {@code checkpointed_size}).
     */
    CHECKPOINT_SIZE_BYTES("checkpoint_size_bytes"),
    CHECKPOINTS_COMPLETED("checkpoints_completed"),
    CHECKPOINTS_FAILED("checkpoints_failed");

    private final String header;

    SoakColumn(String header) {
        this.header = header;
    }

    /** The CSV header name. */
    public String header() {
        return header;
    }

    /** The column whose header is {@code header}. */
    public static SoakColumn ofHeader(String header) {
        for (SoakColumn c : values()) {
            if (c.header.equals(header)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown soak CSV column '" + header + "'");
    }
}
