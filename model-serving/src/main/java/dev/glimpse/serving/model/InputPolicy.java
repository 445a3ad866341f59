package dev.glimpse.serving.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Where models (and their reference implementations) differ in how pixels reach the vision graph,
 * stated by the model directory ({@code model.json} {@code "preprocessing"}), never left to
 * accident. Immutable.
 *
 * @param exifOrientation whether the decoder turns a photo upright by its EXIF orientation before
 *     slicing. {@code apply} (the default, what a camera user expects) or {@code ignore} (what the
 *     HF MiniCPM-V processor does: it never reads EXIF, so a rotated JPEG reaches the model as
 *     stored)
 * @param positionBuckets the rule {@code vision.onnx} was exported with for NaViT position buckets
 *     (the graph computes them; the engine only reports it): {@code floor} = {@code floor(B * i /
 *     rows)} in integers (Glimpse's and llama.cpp's rule, the default) or {@code bucketize} = HF's
 *     {@code bucketize(arange(0, 1 - 1e-6, 1 / rows), arange(1 / B, 1, 1 / B), right=True)} in
 *     float32, which differs at exact ties (docs/real-model.md)
 */
public record InputPolicy(boolean exifOrientation, PositionBuckets positionBuckets) {

    /** The NaViT position-bucket rule of the vision graph. */
    public enum PositionBuckets {
        FLOOR,
        BUCKETIZE;

        public String manifestName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The bundled model's policy: EXIF applied, integer floor buckets. */
    public static final InputPolicy DEFAULTS = new InputPolicy(true, PositionBuckets.FLOOR);

    /** The MiniCPM-V 2.6 reference (HF processor and modeling code). */
    public static final InputPolicy MINICPMV26_REFERENCE =
            new InputPolicy(false, PositionBuckets.BUCKETIZE);

    static InputPolicy read(JsonNode node) {
        if (node == null || node.isNull()) {
            return DEFAULTS;
        }
        String exif = node.path("exifOrientation").asText("apply");
        if (!exif.equals("apply") && !exif.equals("ignore")) {
            throw new IllegalArgumentException(
                    "model.json: preprocessing.exifOrientation must be apply or ignore, was "
                            + exif);
        }
        String buckets = node.path("positionBuckets").asText("floor");
        PositionBuckets rule =
                switch (buckets) {
                    case "floor" -> PositionBuckets.FLOOR;
                    case "bucketize" -> PositionBuckets.BUCKETIZE;
                    default ->
                            throw new IllegalArgumentException(
                                    "model.json: preprocessing.positionBuckets must be floor or"
                                            + " bucketize, was "
                                            + buckets);
                };
        return new InputPolicy(exif.equals("apply"), rule);
    }
}
