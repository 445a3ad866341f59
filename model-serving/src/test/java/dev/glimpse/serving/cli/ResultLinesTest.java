package dev.glimpse.serving.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.AnswerConfidence;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.FinishReason;
import dev.glimpse.serving.engine.ImageSlice;
import dev.glimpse.serving.engine.Task;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResultLinesTest {

    private static EngineResult ocr(String text, int[] ends, double[] probabilities) {
        return new EngineResult(
                "r1",
                Task.OCR,
                text,
                java.util.Collections.nCopies(probabilities.length, 5),
                List.of(),
                FinishReason.STOP,
                10,
                0,
                1_000_000L,
                2_000_000L,
                0L,
                0L,
                Optional.of(AnswerConfidence.of(text, ends, probabilities)));
    }

    @Test
    void anOcrLineCarriesTheAnswersConfidenceAndEveryLineAndWordWithTheirs() {
        // tokens "GO" " 1" "\n" "X"
        EngineResult r = ocr("GO 1\nX", new int[] {2, 4, 5, 6}, new double[] {1.0, 0.5, 1.0, 0.25});

        String json =
                ResultLines.result(JsonLines.object(), ocrSpec(Optional.empty()), image(), r, 16)
                        .toString();

        assertThat(json)
                .startsWith(
                        "{\"task\":\"ocr\",\"text\":\"GO 1\\nX\","
                                + "\"confidence\":{\"mean\":0.6875,\"min\":0.25},"
                                + "\"lines\":["
                                + "{\"text\":\"GO 1\",\"mean\":0.75,\"min\":0.5,\"words\":["
                                + "{\"text\":\"GO\",\"mean\":1.0,\"min\":1.0},"
                                + "{\"text\":\"1\",\"mean\":0.5,\"min\":0.5}]},"
                                + "{\"text\":\"X\",\"mean\":0.25,\"min\":0.25,\"words\":["
                                + "{\"text\":\"X\",\"mean\":0.25,\"min\":0.25}]}],"
                                + "\"grid\":null");
    }

    @Test
    void anEmptyAnswerHasNullConfidenceAndNoLines() {
        EngineResult r = ocr("", new int[0], new double[0]);

        String json =
                ResultLines.result(JsonLines.object(), ocrSpec(Optional.empty()), image(), r, 16)
                        .toString();

        assertThat(json)
                .startsWith("{\"task\":\"ocr\",\"text\":\"\",\"confidence\":null,\"lines\":[],");
    }

    @Test
    void needsReviewIsPrintedOnlyWhenAskedAndIsTrueOnlyWhenSomeWordIsUnderTheBar() {
        // words "GO" (min 1.0), "1" (min 0.5), "X" (min 0.25)
        EngineResult r = ocr("GO 1\nX", new int[] {2, 4, 5, 6}, new double[] {1.0, 0.5, 1.0, 0.25});

        ObjectNode under =
                ResultLines.result(JsonLines.object(), ocrSpec(Optional.of(0.3)), image(), r, 16);
        ObjectNode atTheLowest =
                ResultLines.result(JsonLines.object(), ocrSpec(Optional.of(0.25)), image(), r, 16);
        ObjectNode notAsked =
                ResultLines.result(JsonLines.object(), ocrSpec(Optional.empty()), image(), r, 16);

        assertThat(under.get("needsReview").asBoolean()).isTrue();
        assertThat(atTheLowest.get("needsReview").asBoolean()).isFalse();
        assertThat(notAsked.has("needsReview")).isFalse();
    }

    @Test
    void anEmptyAnswerHasNoWordToReview() {
        EngineResult r = ocr("", new int[0], new double[0]);

        assertThat(
                        ResultLines.result(
                                        JsonLines.object(),
                                        ocrSpec(Optional.of(0.99)),
                                        image(),
                                        r,
                                        16)
                                .get("needsReview")
                                .asBoolean())
                .isFalse();
    }

    @Test
    void reviewBelowIsOnlyForOcrAndStrictlyBetweenZeroAndOne() {
        assertThatThrownBy(
                        () ->
                                new RequestSpec(
                                        Task.CAPTION,
                                        Optional.empty(),
                                        List.of(),
                                        0,
                                        Optional.of(0.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reviewBelow is for ocr requests, not caption");
        assertThatThrownBy(() -> ocrSpec(Optional.of(1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reviewBelow must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> ocrSpec(Optional.of(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reviewBelow must be in (0, 1), got NaN");
    }

    private static RequestSpec ocrSpec(Optional<Double> reviewBelow) {
        return new RequestSpec(Task.OCR, Optional.empty(), List.of(), 0, reviewBelow);
    }

    private static EngineImage image() {
        return EngineImage.unsliced("h", new ImageSlice(new float[3 * 14 * 14], 1, 1));
    }
}
