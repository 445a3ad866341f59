package dev.glimpse.serving.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How sure the model was of a generated answer: the probability of every token it chose (softmax of
 * the logits at temperature 1, the stop token excluded), summarised over the whole answer, per line
 * and per word.
 *
 * <p>Tokens map to characters by their decoded text: token {@code i} covers {@code text[end(i-1),
 * end(i))}. A word is a maximal run of non-whitespace characters; its confidence is over every
 * token covering at least one of its characters, so a word split over three tokens has the min and
 * mean of those three, and a token spanning the end of one word and the start of the next counts
 * for both. Whitespace (spaces, newlines) belongs to no word: a token of whitespace alone counts
 * only for the whole answer. A line's confidence is over the tokens of its words.
 *
 * @param tokenProbabilities one per answer token, in order
 * @param answer over all tokens; empty when the answer has none
 * @param lines the answer's lines that hold a word, in order
 */
public record AnswerConfidence(
        List<Double> tokenProbabilities,
        Optional<ConfidenceSummary> answer,
        List<LineConfidence> lines) {
    public AnswerConfidence {
        tokenProbabilities = List.copyOf(tokenProbabilities);
        lines = List.copyOf(lines);
    }

    /** The lowest confidence of any word; empty when the answer has no word. */
    public OptionalDouble lowestWordConfidence() {
        return lines.stream().mapToDouble(LineConfidence::lowestWordConfidence).min();
    }

    /**
     * Whether a person should check this answer: some word's confidence (its lowest token
     * probability) is under {@code reviewBelow}. An answer without a word is not marked. The rule
     * of the job's {@code tasks.ocr.reviewBelow} and the CLI's {@code --review-below}.
     */
    public boolean needsReview(double reviewBelow) {
        OptionalDouble lowest = lowestWordConfidence();
        return lowest.isPresent() && lowest.getAsDouble() < reviewBelow;
    }

    /**
     * Summarises {@code probabilities} of the tokens of {@code text}.
     *
     * @param tokenEnds {@code tokenEnds[i]}: the index after token {@code i}'s last character in
     *     {@code text}; non-decreasing, the last equal to {@code text.length()} (a token that
     *     decodes to nothing has the end of the one before it)
     * @param probabilities {@code probabilities[i]}: token {@code i}'s probability, in (0, 1]
     * @throws IllegalArgumentException if the arrays differ in length or the ends are not as stated
     */
    public static AnswerConfidence of(String text, int[] tokenEnds, double[] probabilities) {
        int n = probabilities.length;
        if (tokenEnds.length != n) {
            throw new IllegalArgumentException(
                    "expected one end per token, got " + tokenEnds.length + " for " + n);
        }
        for (int i = 0; i < n; i++) {
            int previous = i == 0 ? 0 : tokenEnds[i - 1];
            if (tokenEnds[i] < previous || tokenEnds[i] > text.length()) {
                throw new IllegalArgumentException(
                        "token ends must be non-decreasing within the text of "
                                + text.length()
                                + " characters, got "
                                + Arrays.toString(tokenEnds));
            }
        }
        if (n > 0 && tokenEnds[n - 1] != text.length()) {
            throw new IllegalArgumentException(
                    "the last token must end the text at "
                            + text.length()
                            + ", got "
                            + Arrays.toString(tokenEnds));
        }
        List<Double> boxed = new ArrayList<>(n);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            boxed.add(probabilities[i]);
            all[i] = i;
        }
        Optional<ConfidenceSummary> answer =
                n == 0
                        ? Optional.empty()
                        : Optional.of(ConfidenceSummary.of(probabilities, all, n));
        List<LineConfidence> lines = new ArrayList<>();
        int lineStart = 0;
        while (lineStart <= text.length()) {
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? text.length() : newline;
            line(text, lineStart, lineEnd, tokenEnds, probabilities).ifPresent(lines::add);
            lineStart = lineEnd + 1;
        }
        return new AnswerConfidence(boxed, answer, lines);
    }

    private static Optional<LineConfidence> line(
            String text, int from, int to, int[] tokenEnds, double[] probabilities) {
        List<WordConfidence> words = new ArrayList<>();
        int[] lineTokens = new int[probabilities.length];
        int numLineTokens = 0;
        int lastLineToken = -1;
        int[] wordTokens = new int[probabilities.length];
        int c = from;
        while (c < to) {
            if (Character.isWhitespace(text.charAt(c))) {
                c++;
                continue;
            }
            int start = c;
            while (c < to && !Character.isWhitespace(text.charAt(c))) {
                c++;
            }
            int numWordTokens = 0;
            for (int t = firstTokenCovering(tokenEnds, start); t < tokenEnds.length; t++) {
                int tokenStart = t == 0 ? 0 : tokenEnds[t - 1];
                if (tokenStart >= c) {
                    break;
                }
                if (tokenEnds[t] > tokenStart) { // empty tokens cover no character
                    wordTokens[numWordTokens++] = t;
                    if (t > lastLineToken) { // tokens come in order: each counted once per line
                        lineTokens[numLineTokens++] = t;
                        lastLineToken = t;
                    }
                }
            }
            words.add(
                    new WordConfidence(
                            text.substring(start, c),
                            start,
                            c,
                            ConfidenceSummary.of(probabilities, wordTokens, numWordTokens)));
        }
        if (words.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new LineConfidence(
                        text.substring(from, to),
                        ConfidenceSummary.of(probabilities, lineTokens, numLineTokens),
                        words));
    }

    /** The first token whose end lies after character {@code c} (the token covering it). */
    private static int firstTokenCovering(int[] tokenEnds, int c) {
        int lo = 0;
        int hi = tokenEnds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tokenEnds[mid] <= c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
