package dev.glimpse.serving.cli;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.model.ExecutorOptions;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelDirectory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A model directory with a started engine and a preprocessor, for one command run. Options {@code
 * --model DIR} (default: the bundled model) and {@code --threads N} (ONNX Runtime intra-op
 * threads).
 */
final class EngineSession implements AutoCloseable {

    private final ModelDirectory model;
    private final InferenceEngine engine;
    private final ImagePreprocessor preprocessor;

    private EngineSession(
            ModelDirectory model, InferenceEngine engine, ImagePreprocessor preprocessor) {
        this.model = model;
        this.engine = engine;
        this.preprocessor = preprocessor;
    }

    /** Opens the model of {@code --model} (or the bundled one) and starts an engine on the CPU. */
    static EngineSession open(CliOptions options, int maxQueuedRequests) throws UsageException {
        Path dir = options.string("--model").map(Path::of).orElseGet(ModelDirectory::locateBundled);
        if (!ModelDirectory.isComplete(dir)) {
            throw new UsageException(
                    "not a complete model directory (model.json, tokenizer.json, vision.onnx,"
                            + " embed.onnx, decoder.onnx): "
                            + dir.toAbsolutePath()
                            + (options.has("--model") ? "" : "; pass --model DIR"));
        }
        ExecutorOptions executor = ExecutorOptions.cpu();
        if (options.has("--threads")) {
            executor = executor.withIntraOpThreads(options.positiveInt("--threads", 1));
        }
        EngineConfig config =
                EngineConfig.builder()
                        .maxQueuedRequests(
                                Math.max(
                                        EngineConfig.builder().build().maxQueuedRequests(),
                                        maxQueuedRequests))
                        .build();
        ModelDirectory model;
        try {
            model = ModelDirectory.open(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("opening the model at " + dir, e);
        }
        try {
            ImagePreprocessor preprocessor =
                    new ImagePreprocessor(model.manifest(), DecodeLimits.DEFAULTS);
            InferenceEngine engine = model.newEngine(config, executor, new PrometheusRegistry());
            return new EngineSession(model, engine, preprocessor);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    ModelDirectory model() {
        return model;
    }

    InferenceEngine engine() {
        return engine;
    }

    ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** The largest input file read: the decoder's cap on encoded bytes. */
    long maxFileBytes() {
        return DecodeLimits.DEFAULTS.maxEncodedBytes();
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            model.close();
        }
    }
}
