package dev.glimpse.serving.slicing;

import java.util.Objects;

/**
 * The per-image placeholder text of MiniCPM-V 2.6-style models (docs/slicing.md §3.2), a pure
 * function of the {@link SliceLayout}:
 *
 * <pre>
 * &lt;image_id&gt;k&lt;/image_id&gt;&lt;image&gt;(unk x Q)&lt;/image&gt;
 * then, if sliced, rows lines of cols x &lt;slice&gt;(unk x Q)&lt;/slice&gt;, joined by "\n"
 * </pre>
 *
 * No separator inside a row, no leading or trailing newline. Immutable.
 *
 * @param imageIdStart e.g. {@code <image_id>}
 * @param imageIdEnd e.g. {@code </image_id>}
 * @param imageStart e.g. {@code <image>}
 * @param imageEnd e.g. {@code </image>}
 * @param sliceStart e.g. {@code <slice>}
 * @param sliceEnd e.g. {@code </slice>}
 * @param placeholder the token repeated Q times, e.g. {@code <unk>}
 * @param queriesPerImage Q, resampler outputs per overview or slice
 * @param useImageId whether to emit the {@code <image_id>k</image_id>} prefix (off for video)
 */
public record PromptLayout(
        String imageIdStart,
        String imageIdEnd,
        String imageStart,
        String imageEnd,
        String sliceStart,
        String sliceEnd,
        String placeholder,
        int queriesPerImage,
        boolean useImageId) {

    /** MiniCPM-V 2.6 / o-2.6 / 4.x: 64 {@code <unk>} per image, with image ids. */
    public static final PromptLayout MINICPM_V_2_6 =
            new PromptLayout(
                    "<image_id>",
                    "</image_id>",
                    "<image>",
                    "</image>",
                    "<slice>",
                    "</slice>",
                    "<unk>",
                    64,
                    true);

    public PromptLayout {
        Objects.requireNonNull(imageIdStart, "imageIdStart");
        Objects.requireNonNull(imageIdEnd, "imageIdEnd");
        Objects.requireNonNull(imageStart, "imageStart");
        Objects.requireNonNull(imageEnd, "imageEnd");
        Objects.requireNonNull(sliceStart, "sliceStart");
        Objects.requireNonNull(sliceEnd, "sliceEnd");
        if (placeholder == null || placeholder.isEmpty()) {
            throw new IllegalArgumentException("placeholder token must be non-empty");
        }
        if (queriesPerImage < 1) {
            throw new IllegalArgumentException(
                    "queriesPerImage must be at least 1, got " + queriesPerImage);
        }
    }

    /** A copy with another Q (e.g. the bundled small model). */
    public PromptLayout withQueriesPerImage(int q) {
        return new PromptLayout(
                imageIdStart,
                imageIdEnd,
                imageStart,
                imageEnd,
                sliceStart,
                sliceEnd,
                placeholder,
                q,
                useImageId);
    }

    /** The placeholder text for the {@code imageIndex}-th image (0-based) of a prompt. */
    public String render(SliceLayout layout, int imageIndex) {
        if (imageIndex < 0) {
            throw new IllegalArgumentException("imageIndex must be >= 0, got " + imageIndex);
        }
        String unks = placeholder.repeat(queriesPerImage);
        StringBuilder sb = new StringBuilder();
        if (useImageId) {
            sb.append(imageIdStart).append(imageIndex).append(imageIdEnd);
        }
        sb.append(imageStart).append(unks).append(imageEnd);
        if (layout.isSliced()) {
            String cell = sliceStart + unks + sliceEnd;
            for (int row = 0; row < layout.grid().rows(); row++) {
                if (row > 0) {
                    sb.append('\n');
                }
                sb.append(cell.repeat(layout.grid().cols()));
            }
        }
        return sb.toString();
    }
}
