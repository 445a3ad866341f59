package dev.glimpse.jobs.demo;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The drawing vocabulary of the model's training data ({@code glimpse_train/data.py}): eight named
 * colours, four shapes, light-grey backgrounds, small colour jitter.
 */
final class Palette {

    static final Map<String, Color> COLORS = colors();
    static final List<String> COLOR_NAMES = List.copyOf(COLORS.keySet());
    static final List<String> SHAPES = List.of("circle", "square", "triangle", "diamond");

    private Palette() {}

    private static Map<String, Color> colors() {
        Map<String, Color> c = new LinkedHashMap<>();
        c.put("red", new Color(220, 30, 30));
        c.put("green", new Color(30, 160, 40));
        c.put("blue", new Color(30, 60, 220));
        c.put("yellow", new Color(235, 200, 20));
        c.put("orange", new Color(245, 130, 20));
        c.put("purple", new Color(140, 40, 170));
        c.put("pink", new Color(240, 110, 180));
        c.put("black", new Color(20, 20, 20));
        return Collections.unmodifiableMap(c);
    }

    /** {@code c} with each channel moved by up to ±{@code d}. */
    static Color jitter(Random rng, Color c, int d) {
        return new Color(
                clamp(c.getRed() + rng.nextInt(2 * d + 1) - d),
                clamp(c.getGreen() + rng.nextInt(2 * d + 1) - d),
                clamp(c.getBlue() + rng.nextInt(2 * d + 1) - d));
    }

    /** A grey between {@code lo} and {@code hi}, each channel jittered by ±{@code d}. */
    static Color grey(Random rng, int lo, int hi, int d) {
        int g = lo + rng.nextInt(hi - lo + 1);
        return jitter(rng, new Color(g, g, g), d);
    }

    /** A {@code w}×{@code h} RGB image filled with a light-grey background. */
    static BufferedImage background(Random rng, int w, int h) {
        return filled(w, h, grey(rng, 225, 255, 5));
    }

    static BufferedImage filled(int w, int h, Color color) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    /** "a" or "an" before {@code word}. */
    static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    static double uniform(Random rng, double lo, double hi) {
        return lo + rng.nextDouble() * (hi - lo);
    }

    static int between(Random rng, int lo, int hi) {
        return lo + rng.nextInt(hi - lo + 1);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
