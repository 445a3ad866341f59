package dev.glimpse.serving.bench;

import dev.glimpse.serving.slicing.ImageSize;
import dev.glimpse.serving.slicing.SliceLayout;
import dev.glimpse.serving.slicing.SlicePlanner;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The baseline a first implementation would write: ImageIO.read, Graphics2D bicubic scaling (not
 * Pillow-exact: no antialiasing on downscale), getSubimage crops and per-pixel getRGB into the same
 * (3, P, L*P) strips. Same slice layout as the real pipeline, so only the mechanics differ.
 */
final class NaiveGraphics2dPipeline {

    private final SlicePlanner planner;
    private final int patch;

    NaiveGraphics2dPipeline(SlicePlanner planner) {
        this.planner = planner;
        this.patch = planner.config().patchSize();
    }

    List<float[]> run(byte[] encoded) throws IOException {
        return process(ImageIO.read(new ByteArrayInputStream(encoded)));
    }

    /** Everything after decoding: slice, scale, normalise and pack. */
    List<float[]> process(BufferedImage source) {
        SliceLayout layout = planner.plan(new ImageSize(source.getWidth(), source.getHeight()));
        List<float[]> strips = new ArrayList<>();
        strips.add(strip(scale(source, layout.overview())));
        if (layout.isSliced()) {
            BufferedImage refined = scale(source, layout.refined());
            int w = layout.slice().width();
            int h = layout.slice().height();
            for (int row = 0; row < layout.grid().rows(); row++) {
                for (int col = 0; col < layout.grid().cols(); col++) {
                    strips.add(strip(refined.getSubimage(col * w, row * h, w, h)));
                }
            }
        }
        return strips;
    }

    private static BufferedImage scale(BufferedImage source, ImageSize size) {
        BufferedImage out =
                new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(source, 0, 0, size.width(), size.height(), null);
        g.dispose();
        return out;
    }

    private float[] strip(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int wp = w / patch;
        int stripWidth = (h / patch) * wp * patch;
        int plane = patch * stripWidth;
        float[] out = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int o = (y % patch) * stripWidth + (y / patch) * wp * patch + x;
                out[o] = ((rgb >> 16 & 0xff) / 255f - 0.5f) / 0.5f;
                out[plane + o] = ((rgb >> 8 & 0xff) / 255f - 0.5f) / 0.5f;
                out[2 * plane + o] = ((rgb & 0xff) / 255f - 0.5f) / 0.5f;
            }
        }
        return out;
    }
}
