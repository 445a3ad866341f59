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
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.SliceGrid;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenCounts;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.model.ModelManifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the engine's answer into the {@code AnalysisResult} record: caption or OCR text, or the
 * moderation verdict with per-category P(yes), the threshold applied and the flagged categories;
 * plus model id, slice grid, token counts and timings. Pure: no I/O, thread-safe.
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
            case CAPTION -> b.setOutput(new Caption(answer.text(), null));
            case OCR -> b.setOutput(new OcrText(answer.text(), null, List.of(), false));
            case MODERATION -> b.setOutput(verdict(answer));
        }
        return b.build();
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
