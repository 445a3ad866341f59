package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenConfidence;
import dev.glimpse.schemas.TokenCounts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveConsoleConfidenceTest {

    private static AnalysisResult result(AnalysisTask task, Object output) {
        return AnalysisResult.newBuilder()
                .setEventId("e1")
                .setSourceId("scanner-1")
                .setEventTime(Instant.ofEpochMilli(1_000))
                .setTask(task)
                .setOutput(output)
                .setModel(new ModelInfo("glimpse-tiny", "0.4.1"))
                .setTokens(new TokenCounts(1, 1, 0, 1))
                .setTimings(new Timings(0.0, 0.0, 0.0, 0.0, 250.0))
                .setAttributes(Map.of())
                .build();
    }

    @Test
    void theResultLineShowsTheAnswersMeanAndLowestTokenConfidence() {
        var caption = new Caption("a red box", new TokenConfidence(0.974, 0.412));

        String line = LiveConsole.format(result(AnalysisTask.CAPTION, caption), 1_300);

        assertThat(line).contains("CAPTION    \"a red box\" conf=0.97/0.41 ");
    }

    @Test
    void anOcrResultThatNeedsReviewSaysSo() {
        var ocr = new OcrText("TOTAL 42", new TokenConfidence(0.8, 0.2), List.of(), true);

        String line = LiveConsole.format(result(AnalysisTask.OCR, ocr), 1_300);

        assertThat(line).contains("OCR        \"TOTAL 42\" conf=0.80/0.20 REVIEW ");
    }

    @Test
    void aResultFromAnOlderWriterHasNoConfidence() {
        String line =
                LiveConsole.format(
                        result(AnalysisTask.CAPTION, new Caption("a red box", null)), 1_300);

        assertThat(line).contains("\"a red box\" ").doesNotContain("conf=");
    }
}
