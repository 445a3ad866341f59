package dev.glimpse.serving.engine;

/**
 * One word of an answer (a maximal run of non-whitespace characters) and the confidence of the
 * tokens that contribute at least one of its characters.
 *
 * @param text the word
 * @param start index of its first character in the answer text
 * @param end index after its last character
 */
public record WordConfidence(String text, int start, int end, ConfidenceSummary confidence) {}
