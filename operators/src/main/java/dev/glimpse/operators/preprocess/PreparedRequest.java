package dev.glimpse.operators.preprocess;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.model.PackedImage;
import dev.glimpse.serving.slicing.PixelNormalization;
import java.nio.ByteBuffer;

/**
 * An event whose image is decoded and sliced, ready for the engine: a Flink POJO (public fields) so
 * that it crosses operator boundaries with Flink's own serializer.
 */
public final class PreparedRequest {

    /**
     * The event as received less its inline image bytes (an empty {@link InlineImage} stands in for
     * them): ids, task, prompt, categories, source, event time, attributes with the Kafka origin,
     * and the URI of an image that came by reference. The image itself is in {@link #slicePixels},
     * so checkpoints hold each in-flight image once.
     */
    public ImageEvent event;

    /** Hash of the decoded pixels (keys the encoder and prefix caches). */
    public String contentHash;

    /**
     * Per encoder input (overview, then slices row-major): the patch strip as uint8 bytes,
     * channel-planar. In-flight requests are checkpoint state of the async operator and are copied
     * between chained operators, so they stay a quarter of the float strip's size; {@link
     * #toEngineImage} normalises them (exactly) when the engine needs them.
     */
    public byte[][] slicePixels;

    /** The model's normalisation (per channel, R G B) applied by {@link #toEngineImage}. */
    public float[] mean;

    public float[] std;

    /** Per encoder input: height in patches. */
    public int[] patchRows;

    /** Per encoder input: width in patches. */
    public int[] patchCols;

    /** Slice grid (0 x 0 when not sliced). */
    public int gridRows;

    public int gridCols;

    /** Decoded picture size. */
    public int width;

    public int height;

    /** Wall-clock milliseconds when preprocessing finished (start of the engine's queue time). */
    public long preparedAtMillis;

    public PreparedRequest() {}

    /** Captures {@code image}, normalised later with {@code normalization}, for {@code event}. */
    public static PreparedRequest of(
            ImageEvent event,
            PackedImage image,
            PixelNormalization normalization,
            int width,
            int height,
            long preparedAtMillis) {
        PreparedRequest r = new PreparedRequest();
        r.event = withoutImageBytes(event);
        r.contentHash = image.contentHash();
        r.slicePixels = image.strips();
        r.patchRows = image.patchRows();
        r.patchCols = image.patchCols();
        r.gridRows = image.gridRows();
        r.gridCols = image.gridCols();
        r.mean = normalization.mean();
        r.std = normalization.std();
        r.width = width;
        r.height = height;
        r.preparedAtMillis = preparedAtMillis;
        return r;
    }

    /** {@code event} without the bytes of an inline image (a URI is kept: dead letters name it). */
    static ImageEvent withoutImageBytes(ImageEvent event) {
        if (!(event.getImage() instanceof InlineImage)) {
            return event;
        }
        // The all-fields constructor shares the other fields; newBuilder(event) would deep-copy
        // the very bytes being dropped.
        return new ImageEvent(
                event.getEventId(),
                event.getSourceId(),
                event.getEventTime(),
                event.getTask(),
                event.getPrompt(),
                event.getModerationCategories(),
                new InlineImage(ByteBuffer.allocate(0)),
                event.getContentType(),
                event.getAttributes());
    }

    /** The engine's view of the image (normalised strips). */
    public EngineImage toEngineImage() {
        return new PackedImage(contentHash, slicePixels, patchRows, patchCols, gridRows, gridCols)
                .toEngineImage(new PixelNormalization(mean, std));
    }
}
