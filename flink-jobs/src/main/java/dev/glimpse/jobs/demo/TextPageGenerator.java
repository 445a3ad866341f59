package dev.glimpse.jobs.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Scanned-text pictures of the OCR training data: dark DejaVu Sans text on a light background — a
 * single word, a line wide enough to be cut into several slices, or a page of two or three lines.
 */
final class TextPageGenerator {

    /** A picture and the text it shows ({@code kind}: word, line or page). */
    record TextPage(BufferedImage image, String text, String kind) {}

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";
    private static final int SLICE_AREA = 112 * 112;

    private final Random rng;

    TextPageGenerator(Random rng) {
        this.rng = rng;
    }

    /** The next picture: a word, a line or a page, in turn. */
    TextPage next(int index) {
        return switch (Math.floorMod(index, 3)) {
            case 0 -> line();
            case 1 -> page();
            default -> word();
        };
    }

    /**
     * A full-page scan ({@code --pages large}): 8 to 12 lines of 16 to 28 characters, about 9
     * slices of 112 x 112 and a long answer, so one OCR event costs the engine many vision runs and
     * decode steps. The model reads it less well than its training pages; it is load, not a test of
     * reading.
     */
    TextPage fullPage() {
        int n = Palette.between(rng, 8, 12);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(randomLine(16, 28));
        }
        BufferedImage img =
                render(
                        lines,
                        Palette.between(rng, 18, 22),
                        Palette.between(rng, 12, 24),
                        Palette.between(rng, 12, 24),
                        Palette.between(rng, 4, 8),
                        0);
        return new TextPage(img, String.join("\n", lines), "full page");
    }

    /** One word, small enough for a single slice. */
    TextPage word() {
        String text = randomWord(3, 6, 0.1);
        return new TextPage(
                render(
                        List.of(text),
                        Palette.between(rng, 18, 24),
                        Palette.between(rng, 4, 12),
                        Palette.between(rng, 4, 10),
                        0,
                        0),
                text,
                "word");
    }

    /** One line of 14–24 characters, wider than one slice. */
    TextPage line() {
        String text = randomLine(14, 24);
        BufferedImage img =
                render(
                        List.of(text),
                        Palette.between(rng, 18, 24),
                        Palette.between(rng, 6, 16),
                        Palette.between(rng, 6, 14),
                        0,
                        0);
        if (img.getWidth() * img.getHeight() <= SLICE_AREA) {
            img = render(List.of(text), 24, 16, 20, 0, 300);
        }
        return new TextPage(img, text, "line");
    }

    /** Two or three short lines. */
    TextPage page() {
        int n = Palette.between(rng, 2, 3);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(randomLine(6, 14));
        }
        BufferedImage img =
                render(
                        lines,
                        Palette.between(rng, 18, 22),
                        Palette.between(rng, 8, 16),
                        Palette.between(rng, 8, 14),
                        Palette.between(rng, 4, 10),
                        0);
        if (img.getWidth() * img.getHeight() <= 1.3 * SLICE_AREA) {
            int minWidth = (int) (1.3 * SLICE_AREA / img.getHeight()) + 1;
            img = render(lines, 22, 12, 10, 8, minWidth);
        }
        return new TextPage(img, String.join("\n", lines), "page");
    }

    private BufferedImage render(
            List<String> lines, int size, int marginX, int marginY, int lineGap, int minWidth) {
        Font font = DemoFonts.sans(size);
        FontMetrics fm = Palette.filled(1, 1, Color.WHITE).createGraphics().getFontMetrics(font);
        int lineHeight = fm.getAscent() + fm.getDescent();
        int textWidth = 0;
        for (String t : lines) {
            textWidth = Math.max(textWidth, fm.stringWidth(t));
        }
        int blockHeight = lines.size() * lineHeight + (lines.size() - 1) * lineGap;
        int w = Math.max(textWidth + 2 * marginX, minWidth);
        int h = blockHeight + 2 * marginY;
        BufferedImage img = Palette.background(rng, w, h);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font);
        int ink = rng.nextInt(61);
        g.setColor(Palette.jitter(rng, new Color(ink, ink, ink), 10));
        double x0 = marginX + rng.nextDouble() * Math.max(0, w - 2 * marginX - textWidth);
        double y = marginY + rng.nextDouble() * Math.max(0, h - 2 * marginY - blockHeight);
        for (String t : lines) {
            g.drawString(t, (float) x0, (float) (y + fm.getAscent()));
            y += lineHeight + lineGap;
        }
        g.dispose();
        return img;
    }

    private String randomWord(int lo, int hi, double digits) {
        int n = Palette.between(rng, lo, hi);
        String alphabet = rng.nextDouble() < digits ? "0123456789" : LETTERS;
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private String randomLine(int lo, int hi) {
        List<String> words = new ArrayList<>();
        while (true) {
            String word = randomWord(2, 7, 0.1);
            String candidate = words.isEmpty() ? word : String.join(" ", words) + " " + word;
            if (candidate.length() > hi) {
                break;
            }
            words.add(word);
            if (candidate.length() >= lo && rng.nextDouble() < 0.3) {
                break;
            }
        }
        return words.isEmpty() ? randomWord(lo, Math.min(hi, 7), 0.1) : String.join(" ", words);
    }
}
