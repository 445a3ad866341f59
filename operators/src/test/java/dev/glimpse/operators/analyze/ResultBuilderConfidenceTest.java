package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.operators.preprocess.PreparedRequest;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.OcrLine;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.OcrWord;
import dev.glimpse.schemas.TokenConfidence;
import dev.glimpse.serving.engine.AnswerConfidence;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.FinishReason;
import dev.glimpse.serving.engine.Task;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The answer's token confidences in the result record, and the OCR review mark. */
class ResultBuilderConfidenceTest {

    // "PAY 42\nNOW": tokens "PAY" " 4" "2" "\n" "NOW"
    private static final AnswerConfidence OCR =
            AnswerConfidence.of(
                    "PAY 42\nNOW",
                    new int[] {3, 5, 6, 7, 10},
                    new double[] {1.0, 0.5, 0.25, 1.0, 0.75});

    private static AnalysisResult build(
            Map<AnalysisTask, TaskSettings> tasks, Task task, String text, AnswerConfidence c) {
        PreparedRequest req = new PreparedRequest();
        req.event = TestEvents.inline("e1", "cam-1", task.name(), new byte[] {1}, TestEvents.T0);
        req.contentHash = "hash";
        req.slicePixels = new byte[1][0];
        req.patchRows = new int[1];
        req.patchCols = new int[1];
        EngineResult answer =
                new EngineResult(
                        "e1",
                        task,
                        text,
                        Collections.nCopies(c.tokenProbabilities().size(), 7),
                        List.of(),
                        FinishReason.STOP,
                        100,
                        0,
                        1_000_000L,
                        2_000_000L,
                        0L,
                        0L,
                        Optional.of(c));
        return new ResultBuilder(new ModelInfo("glimpse-tiny", "0.4.1"), 16, 0.5, tasks)
                .build(req, AnalysisTask.valueOf(task.name()), answer, 0, TestEvents.T0);
    }

    private static TaskSettings reviewBelow(double bar) {
        return new TaskSettings(null, "", List.of(), null, null, null, bar);
    }

    @Test
    void anOcrResultCarriesItsLinesAndWordsWithTheirConfidences() {
        OcrText ocr = (OcrText) build(Map.of(), Task.OCR, "PAY 42\nNOW", OCR).getOutput();

        assertThat(ocr.getConfidence()).isEqualTo(new TokenConfidence(3.5 / 5, 0.25));
        assertThat(ocr.getLines())
                .containsExactly(
                        new OcrLine(
                                "PAY 42",
                                1.75 / 3,
                                0.25,
                                List.of(
                                        new OcrWord("PAY", 1.0, 1.0),
                                        new OcrWord("42", 0.375, 0.25))),
                        new OcrLine("NOW", 0.75, 0.75, List.of(new OcrWord("NOW", 0.75, 0.75))));
        assertThat(ocr.getNeedsReview()).isFalse(); // no tasks.ocr.reviewBelow: none marked
    }

    @Test
    void anOcrResultWhoseLowestWordIsUnderTheBarNeedsReview() {
        var tasks = Map.of(AnalysisTask.OCR, reviewBelow(0.3));

        OcrText ocr = (OcrText) build(tasks, Task.OCR, "PAY 42\nNOW", OCR).getOutput();

        assertThat(ocr.getNeedsReview()).isTrue();
    }

    @Test
    void anOcrResultWhoseLowestWordReachesTheBarDoesNotNeedReview() {
        var tasks = Map.of(AnalysisTask.OCR, reviewBelow(0.25));

        OcrText ocr = (OcrText) build(tasks, Task.OCR, "PAY 42\nNOW", OCR).getOutput();

        assertThat(ocr.getNeedsReview()).isFalse();
    }

    @Test
    void aCaptionCarriesTheMeanAndMinOfItsTokens() {
        AnswerConfidence c =
                AnswerConfidence.of("a box", new int[] {1, 5}, new double[] {0.5, 0.25});

        Caption caption = (Caption) build(Map.of(), Task.CAPTION, "a box", c).getOutput();

        assertThat(caption.getConfidence()).isEqualTo(new TokenConfidence(0.375, 0.25));
    }

    @Test
    void anEmptyOcrAnswerHasNoConfidenceAndIsNotMarked() {
        var tasks = Map.of(AnalysisTask.OCR, reviewBelow(0.9));
        AnswerConfidence none = AnswerConfidence.of("", new int[0], new double[0]);

        OcrText ocr = (OcrText) build(tasks, Task.OCR, "", none).getOutput();

        assertThat(ocr).isEqualTo(new OcrText("", null, List.of(), false));
    }
}
