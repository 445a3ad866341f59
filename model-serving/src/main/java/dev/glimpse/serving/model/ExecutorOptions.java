package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.kv.KvStyle;

/**
 * How the ONNX Runtime sessions run.
 *
 * @param tryCuda try the CUDA execution provider first (needs the {@code onnxruntime_gpu} jar, the
 *     {@code gpu} Maven profile); on failure fall back to CPU with a WARN
 * @param cudaDeviceId GPU index for CUDA
 * @param intraOpThreads threads per graph run (spinning disabled: docs/toolchain.md §12)
 * @param decoderStyle which of the model's decoder graphs to run; null: the model's default on CPU,
 *     its concat graph (when it has one) on CUDA, where ONNX Runtime has no float32
 *     GroupQueryAttention kernel
 */
public record ExecutorOptions(
        boolean tryCuda, int cudaDeviceId, int intraOpThreads, KvStyle decoderStyle) {
    public ExecutorOptions {
        if (cudaDeviceId < 0) {
            throw new IllegalArgumentException("cudaDeviceId must be >= 0, got " + cudaDeviceId);
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intraOpThreads must be >= 1, got " + intraOpThreads);
        }
    }

    /** The model's default decoder graph (see {@link #decoderStyle}). */
    public ExecutorOptions(boolean tryCuda, int cudaDeviceId, int intraOpThreads) {
        this(tryCuda, cudaDeviceId, intraOpThreads, null);
    }

    /** CPU, 2 intra-op threads (without spinning). */
    public static ExecutorOptions cpu() {
        return new ExecutorOptions(false, 0, 2);
    }

    /** CUDA device 0 when available, else CPU. */
    public static ExecutorOptions auto() {
        return new ExecutorOptions(true, 0, 2);
    }

    public ExecutorOptions withIntraOpThreads(int n) {
        return new ExecutorOptions(tryCuda, cudaDeviceId, n, decoderStyle);
    }

    /** The same options running the model's {@code style} decoder graph. */
    public ExecutorOptions withDecoderStyle(KvStyle style) {
        return new ExecutorOptions(tryCuda, cudaDeviceId, intraOpThreads, style);
    }
}
