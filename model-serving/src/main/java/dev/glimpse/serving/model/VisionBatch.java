package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ImageSlice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vision graph's inputs for all slices of a list of images, each strip right-padded to the
 * widest: {@code pixel_values [N, 3, 14, Lmax * 14]}, {@code patch_attention_mask [N, Lmax]} (1 on
 * real patches) and {@code tgt_sizes [N, 2]} (patch rows, cols).
 */
final class VisionBatch {
    final int numSlices; // N
    final int maxPatches; // Lmax
    final float[] pixels; // [N, 3, 14, Lmax * 14]
    final long[] mask; // [N, Lmax]
    final long[] tgtSizes; // [N, 2]

    VisionBatch(List<EngineImage> images) {
        int n = 0;
        int lmax = 0;
        for (EngineImage img : images) {
            for (ImageSlice s : img.slices()) {
                n++;
                lmax = Math.max(lmax, s.numPatches());
            }
        }
        this.numSlices = n;
        this.maxPatches = lmax;
        int p = ImageSlice.PATCH;
        this.pixels = new float[n * 3 * p * lmax * p];
        this.mask = new long[n * lmax];
        this.tgtSizes = new long[n * 2];
        int i = 0;
        for (EngineImage img : images) {
            for (ImageSlice s : img.slices()) {
                int w = s.numPatches() * p;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < p; y++) {
                        System.arraycopy(
                                s.pixels(),
                                (c * p + y) * w,
                                pixels,
                                ((i * 3 + c) * p + y) * lmax * p,
                                w);
                    }
                }
                for (int k = 0; k < s.numPatches(); k++) {
                    mask[i * lmax + k] = 1;
                }
                tgtSizes[2 * i] = s.patchRows();
                tgtSizes[2 * i + 1] = s.patchCols();
                i++;
            }
        }
    }

    /** Splits the graph's {@code [N, Q, D]} output into each image's {@code [slices * Q, D]}. */
    List<float[]> perImage(float[] features, List<EngineImage> images, int floatsPerSlice) {
        List<float[]> out = new ArrayList<>(images.size());
        int offset = 0;
        for (EngineImage img : images) {
            int len = img.slices().size() * floatsPerSlice;
            out.add(Arrays.copyOfRange(features, offset, offset + len));
            offset += len;
        }
        return out;
    }
}
