package dev.glimpse.serving.engine;

import java.util.List;

/**
 * One line of an answer (split at {@code '\n'}; lines without a word are left out) with its words.
 *
 * @param text the line as written, without its newline
 * @param confidence over the tokens of the line's words (a token shared by two words counted once)
 * @param words the line's words, in order; never empty
 */
public record LineConfidence(
        String text, ConfidenceSummary confidence, List<WordConfidence> words) {
    public LineConfidence {
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a line needs at least one word: '" + text + "'");
        }
    }

    /** The lowest word confidence of the line. */
    public double lowestWordConfidence() {
        return confidence.min();
    }
}
