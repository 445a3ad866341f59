package dev.glimpse.operators.preprocess;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ImageSlice;
import java.util.ArrayList;
import java.util.List;

/**
 * An event whose image is decoded and sliced, ready for the engine: a Flink POJO (public fields) so
 * that it crosses operator boundaries with Flink's own serializer.
 */
public final class PreparedRequest {

    /** The event as received. */
    public ImageEvent event;

    /** Hash of the decoded pixels (keys the encoder and prefix caches). */
    public String contentHash;

    /** Per encoder input (overview, then slices row-major): the normalised patch strip. */
    public float[][] slicePixels;

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

    /** Captures {@code image} for {@code event}. */
    public static PreparedRequest of(
            ImageEvent event, EngineImage image, int width, int height, long preparedAtMillis) {
        PreparedRequest r = new PreparedRequest();
        r.event = event;
        r.contentHash = image.contentHash();
        int n = image.slices().size();
        r.slicePixels = new float[n][];
        r.patchRows = new int[n];
        r.patchCols = new int[n];
        for (int i = 0; i < n; i++) {
            ImageSlice s = image.slices().get(i);
            r.slicePixels[i] = s.pixels();
            r.patchRows[i] = s.patchRows();
            r.patchCols[i] = s.patchCols();
        }
        r.gridRows = image.gridRows();
        r.gridCols = image.gridCols();
        r.width = width;
        r.height = height;
        r.preparedAtMillis = preparedAtMillis;
        return r;
    }

    /** The engine's view of the image. */
    public EngineImage toEngineImage() {
        List<ImageSlice> slices = new ArrayList<>(slicePixels.length);
        for (int i = 0; i < slicePixels.length; i++) {
            slices.add(new ImageSlice(slicePixels[i], patchRows[i], patchCols[i]));
        }
        return new EngineImage(contentHash, slices, gridRows, gridCols);
    }
}
