package dev.glimpse.serving.slicing;

import java.util.Objects;

/**
 * Computes a {@link SliceLayout} exactly as MiniCPM-V's Hugging Face image processor does ({@code
 * slice_image}, {@code get_sliced_grid}, {@code find_best_resize}, {@code get_refine_size}, {@code
 * ensure_divide}).
 *
 * <p>Exactness matters because every size difference changes the token count and the pixels the
 * model sees. The Python details reproduced here: float64 arithmetic throughout, {@code round()} is
 * round-half-to-even ({@link Math#rint}), {@code int()} truncates toward zero, the slicing gate is
 * on area ({@code W*H > S²}), grid candidates come from N-1, N, N+1 slices in that order with
 * columns ascending, and the first candidate wins a tie. Stateless and thread-safe.
 */
public final class SlicePlanner {

    private final SliceConfig config;

    public SlicePlanner(SliceConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public SliceConfig config() {
        return config;
    }

    /** The layout for a picture of the given size. */
    public SliceLayout plan(ImageSize source) {
        SliceGrid grid = grid(source);
        if (grid == null) {
            return SliceLayout.unsliced(source, bestResize(source.width(), source.height(), true));
        }
        ImageSize overview = bestResize(source.width(), source.height(), false);
        ImageSize refined = refineSize(source, grid);
        ImageSize slice =
                new ImageSize(refined.width() / grid.cols(), refined.height() / grid.rows());
        return new SliceLayout(source, overview, grid, slice, refined);
    }

    /** {@code get_sliced_grid}: null when the picture's area is at most S² or maxSlices is 1. */
    SliceGrid grid(ImageSize source) {
        int scale = config.scaleResolution();
        double logRatio = Math.log((double) source.width() / source.height());
        double ratio = (double) source.area() / ((double) scale * scale);
        int multiple = (int) Math.min(Math.ceil(ratio), config.maxSlices());
        if (multiple <= 1) {
            return null;
        }
        SliceGrid best = null;
        double bestError = Double.POSITIVE_INFINITY;
        for (int n = multiple - 1; n <= multiple + 1; n++) {
            if (n == 1 || n > config.maxSlices()) {
                continue;
            }
            for (int cols = 1; cols <= n; cols++) {
                if (n % cols != 0) {
                    continue;
                }
                int rows = n / cols;
                double error = Math.abs(logRatio - Math.log((double) cols / rows));
                if (error < bestError) { // strict: the first candidate wins ties
                    best = new SliceGrid(cols, rows);
                    bestError = error;
                }
            }
        }
        return best;
    }

    /** {@code get_refine_size}: the size that cuts into {@code grid} equal slices. */
    private ImageSize refineSize(ImageSize source, SliceGrid grid) {
        long refineWidth = ensureDivide(source.width(), grid.cols());
        long refineHeight = ensureDivide(source.height(), grid.rows());
        ImageSize cell =
                bestResize(
                        (double) refineWidth / grid.cols(),
                        (double) refineHeight / grid.rows(),
                        true);
        return new ImageSize(
                Math.multiplyExact(cell.width(), grid.cols()),
                Math.multiplyExact(cell.height(), grid.rows()));
    }

    /**
     * {@code find_best_resize}: scale to an area of about S² keeping the aspect ratio (only if
     * larger than S² unless {@code allowUpscale}), then snap each side to the patch size.
     */
    private ImageSize bestResize(double width, double height, boolean allowUpscale) {
        int scale = config.scaleResolution();
        double w = width;
        double h = height;
        if (width * height > (double) scale * scale || allowUpscale) {
            double r = width / height;
            h = truncate(scale / Math.sqrt(r));
            w = truncate(h * r);
        }
        int patch = config.patchSize();
        return new ImageSize(
                Math.toIntExact(ensureDivide(w, patch)), Math.toIntExact(ensureDivide(h, patch)));
    }

    /** Python {@code int(x)} for the non-negative values that occur here. */
    private static double truncate(double value) {
        return (double) (long) value;
    }

    /**
     * {@code ensure_divide}: the nearest multiple of {@code patch} (ties to even), at least one.
     */
    static long ensureDivide(double length, int patch) {
        long multiple = (long) Math.rint(length / patch) * patch;
        return Math.max(multiple, patch);
    }
}
