package dev.glimpse.jobs.pipeline;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Deterministic PNGs for pipeline tests: shape scenes, text pages and incompressible noise. */
final class TestImages {

    private static final Color[] COLORS = {
        Color.RED,
        Color.BLUE,
        Color.GREEN,
        Color.YELLOW,
        Color.MAGENTA,
        Color.ORANGE,
        Color.CYAN,
        Color.WHITE
    };

    private TestImages() {}

    /** A scene of two shapes on grey, {@code w x h}, chosen by {@code seed}. */
    static byte[] scene(int seed, int w, int h) {
        return cameraFrame(seed, w, h, 0, 0);
    }

    /**
     * The scene of {@code seed} as a still camera sees it in frame {@code frame}: its shapes moved
     * by up to one pixel either way (sensor noise and jitter), so consecutive frames are
     * near-identical but not byte-identical.
     */
    static byte[] cameraFrame(int seed, int w, int h, int frame) {
        Random jitter = new Random(frame);
        return cameraFrame(seed, w, h, jitter.nextInt(3) - 1, jitter.nextInt(3) - 1);
    }

    private static byte[] cameraFrame(int seed, int w, int h, int dx, int dy) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 2; i++) {
            g.setColor(COLORS[r.nextInt(COLORS.length)]);
            int s = Math.min(w, h) / 3;
            int x = (i == 0 ? w / 8 : w / 2 + w / 16) + dx;
            int y = h / 3 + dy;
            if (r.nextBoolean()) {
                g.fillOval(x, y, s, s);
            } else {
                g.fillRect(x, y, s, s);
            }
        }
        g.dispose();
        return png(img);
    }

    /** A white page with one line of black DejaVu-like text. */
    static byte[] text(String line, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, h / 3)));
        g.drawString(line, 4, h * 2 / 3);
        g.dispose();
        return png(img);
    }

    /** Random RGB noise: a PNG of roughly 3 bytes per pixel (e.g. 700 x 700 is over 1 MB). */
    static byte[] noise(int seed, int w, int h) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return png(img);
    }

    static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
