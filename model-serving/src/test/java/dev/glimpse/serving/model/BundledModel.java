package dev.glimpse.serving.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ImageSlice;
import dev.glimpse.serving.engine.kv.KvStyle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test support: the bundled model directory (skips the test while it is absent) and images. */
final class BundledModel {
    private BundledModel() {}

    static Path dir() {
        Path dir = ModelDirectory.locateBundled();
        assumeTrue(
                ModelDirectory.isComplete(dir),
                "bundled model not present at "
                        + dir.toAbsolutePath()
                        + " (set -D"
                        + ModelDirectory.MODEL_DIR_PROPERTY
                        + ")");
        return dir;
    }

    /** The bundled model's decoder graph styles, sorted (reads model.json only). */
    static List<KvStyle> decoderStyles() throws java.io.IOException {
        ModelManifest m = ModelManifest.read(dir().resolve("model.json"));
        return List.copyOf(new java.util.TreeSet<>(m.llm().decoderFiles().keySet()));
    }

    /**
     * A deterministic synthetic image: an overview of {@code patches x patches} patches plus a
     * {@code rows x cols} grid of slices of the same size, pixels uniform in [-1, 1].
     */
    static EngineImage synthetic(long seed, int patches, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<ImageSlice> slices = new ArrayList<>();
        for (int s = 0; s < 1 + rows * cols; s++) {
            float[] px = new float[3 * 14 * 14 * patches * patches];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            slices.add(new ImageSlice(px, patches, patches));
        }
        return new EngineImage(
                "synthetic-" + seed + "-" + patches + "-" + rows + "x" + cols, slices, rows, cols);
    }
}
