package dev.glimpse.jobs.demo;

import java.awt.Font;
import java.awt.FontFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * DejaVu Sans, the font the bundled model was trained on (text pages and the moderation symbols ☠ ☢
 * ☣ ⚔). Falls back to the JVM's logical SansSerif font when the TTF is not installed (Debian:
 * fonts-dejavu-core); then OCR is harder for the model and the symbols may not render.
 */
final class DemoFonts {

    private static final List<Path> CANDIDATES =
            List.of(
                    Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                    Path.of("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
                    Path.of("/usr/share/fonts/TTF/DejaVuSans.ttf"),
                    Path.of("/Library/Fonts/DejaVuSans.ttf"));

    private static final Font BASE = load();

    private DemoFonts() {}

    /** DejaVu Sans (or the fallback) at {@code pixels} px. */
    static Font sans(int pixels) {
        return BASE.deriveFont((float) pixels);
    }

    /** Whether the real DejaVu Sans was found. */
    static boolean isDejaVu() {
        return BASE.getFontName().startsWith("DejaVu");
    }

    private static Font load() {
        for (Path p : CANDIDATES) {
            if (Files.isRegularFile(p)) {
                try {
                    return Font.createFont(Font.TRUETYPE_FONT, p.toFile());
                } catch (FontFormatException | IOException e) {
                    // try the next one
                }
            }
        }
        return new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    }
}
