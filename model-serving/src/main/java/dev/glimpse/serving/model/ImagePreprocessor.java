package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.ContentHash;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import dev.glimpse.serving.image.ImageRejectedException;
import dev.glimpse.serving.image.RgbImage;
import dev.glimpse.serving.slicing.ImageSlicer;
import dev.glimpse.serving.slicing.PatchPacker;
import dev.glimpse.serving.slicing.PixelNormalization;
import dev.glimpse.serving.slicing.SliceConfig;
import dev.glimpse.serving.slicing.SliceGrid;
import dev.glimpse.serving.slicing.SlicedImage;
import java.util.EnumMap;
import java.util.Map;

/**
 * Image bytes or pixels → the engine's {@link EngineImage}, with the model's slicing settings per
 * task (decode with limits, MiniCPM-V slicing, Pillow-exact resize, normalise, patch strips).
 *
 * <p>The content hash covers the pixels AND the slicing settings: the same picture sliced with a
 * different {@code maxSliceNums} is a different encoder input, so it must not share encoder-cache
 * entries or prefix blocks. Thread-safe.
 */
public final class ImagePreprocessor {
    private final ImageDecoder decoder;
    private final Map<Task, ImageSlicer> slicers = new EnumMap<>(Task.class);
    private final Map<Task, Integer> maxSlices = new EnumMap<>(Task.class);
    private final PatchPacker packer;
    private final PixelNormalization normalization;
    private final int patchSize;
    private final int scaleResolution;

    public ImagePreprocessor(ModelManifest manifest, DecodeLimits limits) {
        this(manifest, limits, Map.of());
    }

    /**
     * @param maxSliceOverrides per-task slice bounds that replace the manifest's (a deployment may
     *     cap camera captions at 1-2 slices); each must be 1..the model's {@code maxSliceNums}
     */
    public ImagePreprocessor(
            ModelManifest manifest, DecodeLimits limits, Map<Task, Integer> maxSliceOverrides) {
        ModelManifest.Vision v = manifest.vision();
        this.decoder = new ImageDecoder(limits, manifest.inputs().exifOrientation());
        this.scaleResolution = v.scaleResolution();
        for (Task t : Task.values()) {
            int max = maxSliceOverrides.getOrDefault(t, manifest.tasks().get(t).maxSliceNums());
            if (max < 1 || max > v.maxSliceNums()) {
                throw new IllegalArgumentException(
                        "maxSliceNums of "
                                + t
                                + " must be 1.."
                                + v.maxSliceNums()
                                + " (the model's bound), was "
                                + max);
            }
            maxSlices.put(t, max);
            slicers.put(t, new ImageSlicer(new SliceConfig(v.scaleResolution(), v.patch(), max)));
        }
        this.patchSize = v.patch();
        this.normalization = new PixelNormalization(toFloats(v.mean()), toFloats(v.std()));
        this.packer = new PatchPacker(v.patch(), normalization);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Decodes (within the limits) and prepares encoded image bytes. */
    public EngineImage prepare(byte[] encoded, String label, Task task)
            throws ImageRejectedException {
        return prepare(decoder.decode(encoded, label).pixels(), task);
    }

    /** Slices, resizes, normalises and packs decoded pixels for {@code task}. */
    public EngineImage prepare(RgbImage image, Task task) {
        return prepareBytes(image, task).toEngineImage(normalization);
    }

    /**
     * Slices, resizes and packs decoded pixels for {@code task}, leaving the strips as bytes: the
     * compact form to hold or ship before the engine needs them ({@link PackedImage#toEngineImage}
     * with {@link #normalization()} gives exactly {@link #prepare}'s result).
     */
    public PackedImage prepareBytes(RgbImage image, Task task) {
        SlicedImage sliced = slicers.get(task).slice(image);
        int n = sliced.images().size();
        byte[][] strips = new byte[n][];
        int[] rows = new int[n];
        int[] cols = new int[n];
        for (int i = 0; i < n; i++) {
            RgbImage part = sliced.images().get(i);
            strips[i] = packer.packBytes(part);
            rows[i] = part.height() / patchSize;
            cols[i] = part.width() / patchSize;
        }
        SliceGrid grid = sliced.layout().grid();
        String hash =
                ContentHash.of(image).hex() + "/s" + scaleResolution + "m" + maxSlices.get(task);
        return grid == null
                ? new PackedImage(hash, strips, rows, cols, 0, 0)
                : new PackedImage(hash, strips, rows, cols, grid.rows(), grid.cols());
    }

    /** The model's pixel normalisation (what turns packed bytes into the encoder's floats). */
    public PixelNormalization normalization() {
        return normalization;
    }
}
