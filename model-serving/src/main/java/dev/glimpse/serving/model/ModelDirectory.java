package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.InferenceEngine;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model directory (docs/design.md §3): manifest, tokenizer and the three graphs; opens engines
 * over it. The tokenizer lives as long as this object: close it after the engines built from it.
 */
public final class ModelDirectory implements AutoCloseable {
    /** System property naming a model directory; wins over every other lookup. */
    public static final String MODEL_DIR_PROPERTY = "glimpse.model.dir";

    /** Environment variable naming a model directory. */
    public static final String MODEL_DIR_ENV = "GLIMPSE_MODEL_DIR";

    /**
     * The bundled model, relative to the model-serving module, the repository root or a sibling
     * module (operators, flink-jobs).
     */
    public static final List<Path> BUNDLED_CANDIDATES =
            List.of(
                    Path.of("models", "glimpse-tiny"),
                    Path.of("model-serving", "models", "glimpse-tiny"),
                    Path.of("..", "model-serving", "models", "glimpse-tiny"));

    private final Path path;
    private final ModelManifest manifest;
    private final ModelTokenizer tokenizer;
    private final ChatPromptBuilder prompts;

    private ModelDirectory(Path path, ModelManifest manifest, ModelTokenizer tokenizer) {
        this.path = path;
        this.manifest = manifest;
        this.tokenizer = tokenizer;
        this.prompts = new ChatPromptBuilder(manifest, tokenizer);
    }

    /** Reads {@code model.json} and {@code tokenizer.json} from {@code dir}. */
    public static ModelDirectory open(Path dir) throws IOException {
        Path manifestFile = dir.resolve("model.json");
        if (!Files.isRegularFile(manifestFile)) {
            throw new IllegalArgumentException(
                    "not a model directory (no model.json): " + dir.toAbsolutePath());
        }
        ModelManifest manifest = ModelManifest.read(manifestFile);
        ModelTokenizer tokenizer = new ModelTokenizer(dir.resolve("tokenizer.json"));
        try {
            return new ModelDirectory(dir, manifest, tokenizer);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * The bundled model's directory: {@value #MODEL_DIR_PROPERTY}, else ${@value #MODEL_DIR_ENV},
     * else {@code models/glimpse-tiny} or {@code model-serving/models/glimpse-tiny} under the
     * working directory.
     */
    public static Path locateBundled() {
        String prop = System.getProperty(MODEL_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv(MODEL_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        for (Path p : BUNDLED_CANDIDATES) {
            if (Files.isRegularFile(p.resolve("model.json"))) {
                return p;
            }
        }
        return BUNDLED_CANDIDATES.get(0);
    }

    /** True when {@code dir} holds a manifest, a tokenizer and the three graphs. */
    public static boolean isComplete(Path dir) {
        for (String f :
                List.of(
                        "model.json",
                        "tokenizer.json",
                        "vision.onnx",
                        "embed.onnx",
                        "decoder.onnx")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                return false;
            }
        }
        return true;
    }

    public Path path() {
        return path;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    public ChatPromptBuilder prompts() {
        return prompts;
    }

    public OrtModelExecutor newExecutor(ExecutorOptions options) {
        return new OrtModelExecutor(path, manifest, options);
    }

    /** A started engine over a new executor (the engine closes the executor). */
    public InferenceEngine newEngine(
            EngineConfig config, ExecutorOptions options, PrometheusRegistry registry) {
        return new InferenceEngine(config, newExecutor(options), prompts, registry);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
