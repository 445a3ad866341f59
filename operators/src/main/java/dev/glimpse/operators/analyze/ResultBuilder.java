package dev.glimpse.operators.analyze;

import dev.glimpse.operators.KafkaOrigin;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.preprocess.PreparedRequest;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.CategoryScore;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrLine;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.OcrWord;
import dev.glimpse.schemas.SliceGrid;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenConfidence;
import dev.glimpse.schemas.TokenCounts;
import dev.glimpse.serving.engine.AnswerConfidence;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.LineConfidence;
import dev.glimpse.serving.engine.WordConfidence;
import dev.glimpse.serving.model.ModelManifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the engine's answer into the {@code AnalysisResult} record: caption or OCR text with their
 * token confidences (OCR: per line and word, and {@code needsReview} under {@code
 * tasks.ocr.reviewBelow}), or the moderation verdict with per-category P(yes), the threshold
 * applied and the flagged categories; plus model id, slice grid, token counts and timings. Pure: no
 * I/O, thread-safe.
 */
public final class ResultBuilder {

    private final ModelInfo model;
    private final int queryNum;
    private final double defaultThreshold;
    private final Map<AnalysisTask, TaskSettings> tasks;

    public ResultBuilder(ModelManifest manifest, Map<AnalysisTask, TaskSettings> tasks) {
        this(
                new ModelInfo(manifest.name(), manifest.version()),
                manifest.vision().queryNum(),
                manifest.moderationThreshold().orElse(0.5),
                tasks);
    }

    ResultBuilder(
            ModelInfo model,
            int queryNum,
            double defaultThreshold,
            Map<AnalysisTask, TaskSettings> tasks) {
        this.model = model;
        this.queryNum = queryNum;
        this.defaultThreshold = defaultThreshold;
        this.tasks = Map.copyOf(tasks);
    }

    /**
     * The result of {@code request} answered by {@code answer}.
     *
     * @param submittedAtMillis wall clock when the request entered the engine
     * @param now wall clock when the answer arrived
     */
    public AnalysisResult build(
            PreparedRequest request,
            AnalysisTask task,
            EngineResult answer,
            long submittedAtMillis,
            Instant now) {
        var event = request.event;
        AnalysisResult.Builder b =
                AnalysisResult.newBuilder()
                        .setEventId(event.getEventId())
                        .setSourceId(event.getSourceId())
                        .setEventTime(event.getEventTime())
                        .setTask(task)
                        .setModel(model)
                        .setSliceGrid(
                                request.gridRows == 0
                                        ? null
                                        : new SliceGrid(request.gridCols, request.gridRows))
                        .setTokens(
                                new TokenCounts(
                                        answer.promptTokens(),
                                        request.slicePixels.length * queryNum,
                                        answer.cachedPromptTokens(),
                                        answer.tokenIds().size()))
                        .setTimings(timings(request, answer, submittedAtMillis, now))
                        .setAttributes(KafkaOrigin.withoutOrigin(event.getAttributes()));
        switch (task) {
            case CAPTION -> b.setOutput(new Caption(answer.text(), answerConfidence(answer)));
            case OCR -> b.setOutput(ocr(answer));
            case MODERATION -> b.setOutput(verdict(answer));
        }
        return b.build();
    }

    /** The answer's token confidence; null without tokens (or without a measurement). */
    private static TokenConfidence answerConfidence(EngineResult answer) {
        return answer.confidence()
                .flatMap(AnswerConfidence::answer)
                .map(c -> new TokenConfidence(c.mean(), c.min()))
                .orElse(null);
    }

    /** The OCR text with its lines and words, marked for review if a word is under the bar. */
    private OcrText ocr(EngineResult answer) {
        List<OcrLine> lines = new ArrayList<>();
        boolean needsReview = false;
        if (answer.confidence().isPresent()) {
            AnswerConfidence c = answer.confidence().get();
            for (LineConfidence line : c.lines()) {
                List<OcrWord> words = new ArrayList<>();
                for (WordConfidence w : line.words()) {
                    words.add(new OcrWord(w.text(), w.confidence().mean(), w.confidence().min()));
                }
                lines.add(
                        new OcrLine(
                                line.text(),
                                line.confidence().mean(),
                                line.confidence().min(),
                                words));
            }
            Optional<Double> bar =
                    tasks.getOrDefault(AnalysisTask.OCR, TaskSettings.DEFAULT).reviewThreshold();
            needsReview = bar.isPresent() && c.needsReview(bar.get());
        }
        return new OcrText(answer.text(), answerConfidence(answer), lines, needsReview);
    }

    private ModerationVerdict verdict(EngineResult answer) {
        double threshold =
                tasks.getOrDefault(AnalysisTask.MODERATION, TaskSettings.DEFAULT)
                        .thresholdOverride()
                        .orElse(defaultThreshold);
        List<CategoryScore> scores = new ArrayList<>();
        List<String> flagged = new ArrayList<>();
        for (var s : answer.scores()) {
            boolean isFlagged = s.probabilityYes() >= threshold;
            scores.add(new CategoryScore(s.category(), s.probabilityYes(), threshold, isFlagged));
            if (isFlagged) {
                flagged.add(s.category());
            }
        }
        return new ModerationVerdict(!flagged.isEmpty(), flagged, scores);
    }

    private static Timings timings(
            PreparedRequest request, EngineResult answer, long submittedAtMillis, Instant now) {
        double ttftMs = answer.timeToFirstTokenNanos() / 1e6;
        double totalMs = answer.totalNanos() / 1e6;
        return new Timings(
                Math.max(0, submittedAtMillis - request.preparedAtMillis)
                        + answer.queuedNanos() / 1e6,
                answer.encodeNanos() / 1e6,
                Math.max(0, ttftMs - answer.queuedNanos() / 1e6 - answer.encodeNanos() / 1e6),
                Math.max(0, totalMs - ttftMs),
                (double)
                        Math.max(
                                0L,
                                now.toEpochMilli() - request.event.getEventTime().toEpochMilli()));
    }
}
