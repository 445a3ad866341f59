package dev.glimpse.jobs.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.GlyphVector;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Pictures for moderation, as in the training data: a shape scene or a text page, about half of
 * them with one of the flagged DejaVu symbols drawn somewhere (☠ skull, ☢ radiation, ☣ biohazard, ⚔
 * weapons).
 */
final class ModerationImageGenerator {

    /** The symbol of each moderation category of the bundled model. */
    static final Map<String, String> SYMBOLS =
            Map.of(
                    "skull", "\u2620",
                    "radiation", "\u2622",
                    "biohazard", "\u2623",
                    "weapons", "\u2694");

    private static final List<String> CATEGORIES =
            List.of("skull", "radiation", "biohazard", "weapons");

    /** A picture and the category whose symbol it shows (null: none). */
    record ModerationImage(BufferedImage image, String symbol, String background) {}

    private final Random rng;
    private final SceneGenerator scenes;
    private final TextPageGenerator pages;

    ModerationImageGenerator(Random rng) {
        this.rng = rng;
        this.scenes = new SceneGenerator(rng);
        this.pages = new TextPageGenerator(rng);
    }

    /** The next picture; {@code withSymbol} decides whether a flagged symbol is drawn. */
    ModerationImage next(boolean withSymbol) {
        BufferedImage img;
        String background;
        if (rng.nextDouble() < 0.7) {
            img = scenes.render(scenes.next());
            background = "scene";
        } else {
            img = rng.nextBoolean() ? pages.page().image() : pages.word().image();
            background = "text";
        }
        String category = null;
        if (withSymbol) {
            category = CATEGORIES.get(rng.nextInt(CATEGORIES.size()));
            drawSymbol(img, category);
        }
        return new ModerationImage(img, category, background);
    }

    private void drawSymbol(BufferedImage img, String category) {
        Font font = DemoFonts.sans(Palette.between(rng, 26, 42));
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font);
        GlyphVector glyph = font.createGlyphVector(g.getFontRenderContext(), SYMBOLS.get(category));
        Rectangle2D bounds = glyph.getVisualBounds();
        double x = rng.nextDouble() * Math.max(1, img.getWidth() - bounds.getWidth());
        double y = rng.nextDouble() * Math.max(1, img.getHeight() - bounds.getHeight());
        int ink = rng.nextInt(91);
        g.setColor(Palette.jitter(rng, new Color(ink, ink, ink), 25));
        g.drawGlyphVector(glyph, (float) (x - bounds.getX()), (float) (y - bounds.getY()));
        g.dispose();
    }
}
