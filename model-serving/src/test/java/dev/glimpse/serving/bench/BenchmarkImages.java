package dev.glimpse.serving.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Deterministic benchmark inputs, encoded once per trial: a photo-like frame and a text page. */
final class BenchmarkImages {

    private BenchmarkImages() {}

    /** 1920x1080 smooth gradients, shapes and sensor-like noise, JPEG quality 90. */
    static byte[] photoJpeg() {
        return jpeg(photo(1920, 1080));
    }

    /** The photo-like frame at {@code width x height} (a camera frame), PNG-encoded. */
    static byte[] photoPng(int width, int height) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(photo(width, height), "png", bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The photo-like frame at {@code width x height}, JPEG quality 90. */
    static byte[] photoJpeg(int width, int height) {
        return jpeg(photo(width, height));
    }

    private static BufferedImage photo(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(42);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r =
                        clamp(
                                128
                                        + 100 * Math.sin(x / 57.0) * Math.cos(y / 43.0)
                                        + random.nextGaussian() * 6);
                int g = clamp(110 + 90 * Math.cos((x + y) / 91.0) + random.nextGaussian() * 6);
                int b =
                        clamp(
                                120
                                        + 80
                                                * Math.sin(
                                                        Math.hypot(x - width / 2, y - height / 2)
                                                                / 37.0)
                                        + random.nextGaussian() * 6);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(240, 30, 40));
        g.fillOval(300, 200, 500, 400);
        g.setColor(Color.BLACK);
        g.fillRect(1200, 600, 400, 250);
        g.dispose();
        return image;
    }

    /** A4 at 300 dpi (2480x3508): black text lines on white, JPEG quality 90 (a scanned page). */
    static byte[] pageJpeg() {
        BufferedImage image = new BufferedImage(2480, 3508, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 2480, 3508);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SERIF, Font.PLAIN, 42));
        for (int line = 0; line < 60; line++) {
            g.drawString(
                    "Line " + line + ": the quick brown fox jumps over the lazy dog 0123456789 ÄÖÜ",
                    200,
                    300 + line * 52);
        }
        g.dispose();
        return jpeg(image);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static byte[] jpeg(BufferedImage image) {
        try {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
            ImageWriter writer = writers.next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.9f);
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
