package dev.glimpse.jobs.demo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Camera-like scenes of the caption training data: one or two coloured shapes on a light
 * background, two of them "left of" or "above" each other, and the caption that describes them ("a
 * red circle left of a blue square"). A scene can be rendered again with tiny changes (the next
 * frame of a camera that sees nothing new), which the job's FrameGate recognises as a
 * near-duplicate.
 */
final class SceneGenerator {

    /** One shape in a scene. */
    record Item(String color, String shape, double cx, double cy, double r, Color fill) {}

    /** What a camera sees; {@code caption} is the training data's description of it. */
    record Scene(int width, int height, Color background, List<Item> items, String caption) {}

    private final Random rng;

    SceneGenerator(Random rng) {
        this.rng = rng;
    }

    /** A new random scene (mostly about 112 px square, sometimes larger). */
    Scene next() {
        int w;
        int h;
        if (rng.nextDouble() < 0.85) {
            w = Palette.between(rng, 96, 120);
            h = Palette.between(rng, 96, 120);
        } else {
            w = Palette.between(rng, 150, 224);
            h = Palette.between(rng, 130, 200);
        }
        return next(w, h);
    }

    /** A new random scene of {@code w}×{@code h} pixels. */
    Scene next(int w, int h) {
        Color bg = Palette.grey(rng, 225, 255, 5);
        int m = Math.min(w, h);
        String c1 = pick(Palette.COLOR_NAMES);
        String s1 = pick(Palette.SHAPES);
        if (rng.nextDouble() < 0.3) {
            double r = Palette.uniform(rng, 0.16, 0.3) * m;
            double cx = Palette.uniform(rng, r + 2, w - r - 2);
            double cy = Palette.uniform(rng, r + 2, h - r - 2);
            Item item = item(c1, s1, cx, cy, r);
            return new Scene(w, h, bg, List.of(item), Palette.article(c1) + " " + c1 + " " + s1);
        }
        String c2 = pick(Palette.COLOR_NAMES);
        String s2 = pick(Palette.SHAPES);
        boolean leftOf = rng.nextBoolean();
        double r1 = Palette.uniform(rng, 0.11, 0.18) * m;
        double r2 = Palette.uniform(rng, 0.11, 0.18) * m;
        double x1;
        double x2;
        double y1;
        double y2;
        if (leftOf) {
            x1 = Palette.uniform(rng, 0.14, 0.34) * w;
            x2 = Palette.uniform(rng, 0.66, 0.86) * w;
            y1 = Palette.uniform(rng, 0.3, 0.7) * h;
            y2 = Palette.uniform(rng, 0.3, 0.7) * h;
        } else {
            y1 = Palette.uniform(rng, 0.14, 0.34) * h;
            y2 = Palette.uniform(rng, 0.66, 0.86) * h;
            x1 = Palette.uniform(rng, 0.3, 0.7) * w;
            x2 = Palette.uniform(rng, 0.3, 0.7) * w;
        }
        String caption =
                String.join(
                        " ",
                        Palette.article(c1),
                        c1,
                        s1,
                        leftOf ? "left of" : "above",
                        Palette.article(c2),
                        c2,
                        s2);
        return new Scene(
                w, h, bg, List.of(item(c1, s1, x1, y1, r1), item(c2, s2, x2, y2, r2)), caption);
    }

    /** {@code scene} as a picture. */
    BufferedImage render(Scene scene) {
        BufferedImage img = Palette.filled(scene.width(), scene.height(), scene.background());
        Graphics2D g = img.createGraphics();
        for (Item it : scene.items()) {
            g.setColor(it.fill());
            g.fill(outline(it.shape(), it.cx(), it.cy(), it.r()));
        }
        g.dispose();
        return img;
    }

    /**
     * The next frame of a camera looking at {@code scene}: the same picture with sensor-like noise
     * (background ±1 level, shapes moved by up to one pixel).
     */
    Scene nearDuplicate(Scene scene) {
        List<Item> moved = new ArrayList<>();
        for (Item it : scene.items()) {
            moved.add(
                    new Item(
                            it.color(),
                            it.shape(),
                            it.cx() + rng.nextInt(3) - 1,
                            it.cy() + rng.nextInt(3) - 1,
                            it.r(),
                            it.fill()));
        }
        return new Scene(
                scene.width(),
                scene.height(),
                Palette.jitter(rng, scene.background(), 1),
                moved,
                scene.caption());
    }

    /** Draws {@code shape} into an existing picture (moderation images reuse scenes). */
    static Shape outline(String shape, double cx, double cy, double r) {
        return switch (shape) {
            case "circle" -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            case "square" -> {
                double s = r * 0.88;
                yield new Rectangle2D.Double(cx - s, cy - s, 2 * s, 2 * s);
            }
            case "triangle" ->
                    polygon(cx, cy - r, cx - r * 1.05, cy + r * 0.8, cx + r * 1.05, cy + r * 0.8);
            case "diamond" ->
                    polygon(cx, cy - r * 1.1, cx + r * 0.9, cy, cx, cy + r * 1.1, cx - r * 0.9, cy);
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    }

    private static Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    private Item item(String color, String shape, double cx, double cy, double r) {
        return new Item(
                color, shape, cx, cy, r, Palette.jitter(rng, Palette.COLORS.get(color), 15));
    }

    private <T> T pick(List<T> items) {
        return items.get(rng.nextInt(items.size()));
    }
}
