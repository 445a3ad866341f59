package dev.glimpse.serving.slicing;

/**
 * How the refined image is cut: {@code cols} slices per row, {@code rows} rows, read row-major.
 *
 * @param cols slices along x, at least 1
 * @param rows slices along y, at least 1
 */
public record SliceGrid(int cols, int rows) {

    public SliceGrid {
        if (cols < 1 || rows < 1) {
            throw new IllegalArgumentException(
                    "slice grid must be at least 1x1 (cols x rows), got " + cols + "x" + rows);
        }
    }

    /** Number of slices (cols x rows). */
    public int sliceCount() {
        return cols * rows;
    }

    @Override
    public String toString() {
        return cols + "x" + rows;
    }
}
