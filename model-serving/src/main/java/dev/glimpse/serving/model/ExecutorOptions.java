package dev.glimpse.serving.model;

/**
 * How the ONNX Runtime sessions run.
 *
 * @param tryCuda try the CUDA execution provider first (needs the {@code onnxruntime_gpu} jar, the
 *     {@code gpu} Maven profile); on failure fall back to CPU with a WARN
 * @param cudaDeviceId GPU index for CUDA
 * @param intraOpThreads threads per graph run (spinning disabled: TOOLCHAIN.md §12)
 */
public record ExecutorOptions(boolean tryCuda, int cudaDeviceId, int intraOpThreads) {
    public ExecutorOptions {
        if (cudaDeviceId < 0) {
            throw new IllegalArgumentException("cudaDeviceId must be >= 0, got " + cudaDeviceId);
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intraOpThreads must be >= 1, got " + intraOpThreads);
        }
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
        return new ExecutorOptions(tryCuda, cudaDeviceId, n);
    }
}
