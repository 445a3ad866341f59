package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AnswerConfidenceTest {

    // "TOTAL 42.00\nDUE  now": tokens "TO" "TAL" " 4" "2." "00" "\n" "DUE" "  " "now"
    private static final String TEXT = "TOTAL 42.00\nDUE  now";
    private static final int[] ENDS = {2, 5, 7, 9, 11, 12, 15, 17, 20};
    private static final double[] P = {0.5, 1.0, 0.25, 0.75, 1.0, 0.125, 0.5, 0.0625, 1.0};

    @Test
    void answerSummaryIsOverEveryTokenWhitespaceIncluded() {
        AnswerConfidence c = AnswerConfidence.of(TEXT, ENDS, P);

        assertThat(c.tokenProbabilities())
                .containsExactly(0.5, 1.0, 0.25, 0.75, 1.0, 0.125, 0.5, 0.0625, 1.0);
        assertThat(c.answer()).contains(new ConfidenceSummary(5.1875 / 9, 0.0625));
    }

    @Test
    void aWordTakesTheMinAndMeanOfEveryTokenThatAddsOneOfItsCharacters() {
        AnswerConfidence c = AnswerConfidence.of(TEXT, ENDS, P);

        assertThat(c.lines()).hasSize(2);
        LineConfidence first = c.lines().get(0);
        assertThat(first.text()).isEqualTo("TOTAL 42.00");
        assertThat(first.words())
                .containsExactly(
                        new WordConfidence("TOTAL", 0, 5, new ConfidenceSummary(0.75, 0.5)),
                        // " 4" adds its '4' (its space belongs to no word), "2." and "00"
                        new WordConfidence("42.00", 6, 11, new ConfidenceSummary(2.0 / 3, 0.25)));
        assertThat(first.confidence()).isEqualTo(new ConfidenceSummary(3.5 / 5, 0.25));
    }

    @Test
    void whitespaceTokensBelongToNoWordOrLine() {
        AnswerConfidence c = AnswerConfidence.of(TEXT, ENDS, P);

        LineConfidence second = c.lines().get(1);
        assertThat(second.text()).isEqualTo("DUE  now");
        assertThat(second.words())
                .extracting(WordConfidence::text, WordConfidence::confidence)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("DUE", new ConfidenceSummary(0.5, 0.5)),
                        org.assertj.core.groups.Tuple.tuple(
                                "now", new ConfidenceSummary(1.0, 1.0)));
        // the "\n" (0.125) and "  " (0.0625) tokens count for the answer only
        assertThat(second.confidence()).isEqualTo(new ConfidenceSummary(0.75, 0.5));
        assertThat(c.lowestWordConfidence()).hasValue(0.25);
    }

    @Test
    void aTokenSpanningTwoWordsCountsForBothAndOnceForTheLine() {
        // tokens "ab" "c d" "e"
        AnswerConfidence c =
                AnswerConfidence.of("abc de", new int[] {2, 5, 6}, new double[] {1.0, 0.5, 0.25});

        assertThat(c.lines().get(0).words())
                .containsExactly(
                        new WordConfidence("abc", 0, 3, new ConfidenceSummary(0.75, 0.5)),
                        new WordConfidence("de", 4, 6, new ConfidenceSummary(0.375, 0.25)));
        assertThat(c.lines().get(0).confidence()).isEqualTo(new ConfidenceSummary(1.75 / 3, 0.25));
    }

    @Test
    void emptyTokensAndBlankLinesAreSkipped() {
        // tokens "A" "" "\n\n" "B"
        AnswerConfidence c =
                AnswerConfidence.of(
                        "A\n\nB", new int[] {1, 1, 3, 4}, new double[] {0.5, 0.01, 1.0, 0.25});

        assertThat(c.lines()).extracting(LineConfidence::text).containsExactly("A", "B");
        assertThat(c.lines().get(0).words().get(0).confidence())
                .isEqualTo(new ConfidenceSummary(0.5, 0.5));
        assertThat(c.answer().orElseThrow().min()).isEqualTo(0.01);
    }

    @Test
    void anEmptyAnswerHasNoSummaryNoLinesAndNoLowestWord() {
        AnswerConfidence c = AnswerConfidence.of("", new int[0], new double[0]);

        assertThat(c.answer()).isEmpty();
        assertThat(c.lines()).isEmpty();
        assertThat(c.lowestWordConfidence()).isEmpty();
    }

    @Test
    void tokenEndsThatDoNotCoverTheTextAreRejected() {
        assertThatThrownBy(() -> AnswerConfidence.of("abc", new int[] {1, 2}, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the last token must end the text at 3, got [1, 2]");
        assertThatThrownBy(
                        () ->
                                AnswerConfidence.of(
                                        "abc", new int[] {2, 1, 3}, new double[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "token ends must be non-decreasing within the text of 3 characters, got [2, 1, 3]");
        assertThatThrownBy(() -> AnswerConfidence.of("abc", new int[] {3}, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected one end per token, got 1 for 2");
    }
}
