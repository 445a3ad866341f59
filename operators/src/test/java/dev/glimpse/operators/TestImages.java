package dev.glimpse.operators;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Synthetic camera frames drawn with java.awt and encoded as PNG. Each scene lies on a horizontal
 * luma gradient, so that adjacent 9x8 hash cells always differ clearly and sensor-like noise cannot
 * flip difference-hash bits by chance.
 */
public final class TestImages {

    public static final int WIDTH = 160;
    public static final int HEIGHT = 120;

    private TestImages() {}

    /** Scene A: dark-to-light gradient (bright left), a red box and a blue disc. */
    public static BufferedImage sceneA() {
        BufferedImage img = gradient(WIDTH, HEIGHT, true);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(200, 40, 40));
        g.fillRect(20, 20, 40, 30);
        g.setColor(new Color(40, 60, 210));
        g.fillOval(90, 60, 40, 40);
        g.dispose();
        return shade(img);
    }

    /** Scene B: the gradient reversed (bright right), a green triangle and a yellow bar. */
    public static BufferedImage sceneB() {
        BufferedImage img = gradient(WIDTH, HEIGHT, false);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(30, 180, 60));
        g.fillPolygon(new Polygon(new int[] {10, 70, 40}, new int[] {110, 110, 50}, 3));
        g.setColor(new Color(230, 220, 40));
        g.fillRect(100, 10, 20, 100);
        g.dispose();
        return shade(img);
    }

    /** {@code base} with every channel of every pixel moved by up to ±{@code amplitude}. */
    public static BufferedImage withNoise(BufferedImage base, long seed, int amplitude) {
        Random random = new Random(seed);
        BufferedImage out =
                new BufferedImage(base.getWidth(), base.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < base.getHeight(); y++) {
            for (int x = 0; x < base.getWidth(); x++) {
                int rgb = base.getRGB(x, y);
                int r = jitter((rgb >> 16) & 0xFF, random, amplitude);
                int gr = jitter((rgb >> 8) & 0xFF, random, amplitude);
                int b = jitter(rgb & 0xFF, random, amplitude);
                out.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return out;
    }

    /** A solid image of one colour. */
    public static BufferedImage solid(int width, int height, Color color) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return img;
    }

    /** {@code image} drawn at {@code width x height} (bilinear), e.g. a scene as an HD frame. */
    public static BufferedImage scaled(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /** The PNG encoding of {@code image}. */
    public static byte[] png(BufferedImage image) {
        return encode(image, "png");
    }

    /** The JPEG encoding of {@code image} (the JDK writer's default quality), as cameras send. */
    public static byte[] jpeg(BufferedImage image) {
        return encode(image, "jpeg");
    }

    private static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static BufferedImage gradient(int width, int height, boolean brightLeft) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < width; x++) {
            int t = brightLeft ? x : width - 1 - x;
            int v = 230 - t * 200 / (width - 1);
            int rgb = (v << 16) | (v << 8) | v;
            for (int y = 0; y < height; y++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** Darkens shapes along the same direction as the background, so no two cells tie. */
    private static BufferedImage shade(BufferedImage img) {
        int w = img.getWidth();
        boolean brightLeft = (img.getRGB(0, 0) & 0xFF) > (img.getRGB(w - 1, 0) & 0xFF);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (r == g && g == b) {
                    continue; // background: already a gradient
                }
                int t = brightLeft ? x : w - 1 - x;
                int d = t * 60 / (w - 1);
                img.setRGB(
                        x,
                        y,
                        (Math.max(0, r - d) << 16)
                                | (Math.max(0, g - d) << 8)
                                | Math.max(0, b - d));
            }
        }
        return img;
    }

    private static int jitter(int v, Random random, int amplitude) {
        return Math.max(0, Math.min(255, v + random.nextInt(2 * amplitude + 1) - amplitude));
    }
}
