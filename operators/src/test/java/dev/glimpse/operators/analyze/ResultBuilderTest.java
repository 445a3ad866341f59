package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.KafkaOrigin;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.operators.TestPaths;
import dev.glimpse.operators.preprocess.PreparedRequest;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.CategoryScore;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.SliceGrid;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenCounts;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.FinishReason;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.model.ModelManifest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResultBuilderTest {

    private static final ModelInfo MODEL = new ModelInfo("glimpse-tiny", "0.1.0-alpha.1");
    private static final int QUERY_NUM = 16;
    private static final Instant EVENT_TIME = TestEvents.T0;

    private static ResultBuilder builder(Map<AnalysisTask, TaskSettings> tasks) {
        return new ResultBuilder(MODEL, QUERY_NUM, 0.5, tasks);
    }

    /** A request for {@code event} cut into {@code inputs} encoder inputs on a rows x cols grid. */
    private static PreparedRequest request(
            ImageEvent event, int inputs, int gridRows, int gridCols, long preparedAt) {
        PreparedRequest r = new PreparedRequest();
        r.event = event;
        r.contentHash = "hash";
        r.slicePixels = new byte[inputs][0];
        r.patchRows = new int[inputs];
        r.patchCols = new int[inputs];
        r.gridRows = gridRows;
        r.gridCols = gridCols;
        r.width = 448;
        r.height = 224;
        r.preparedAtMillis = preparedAt;
        return r;
    }

    private static ImageEvent event(String task) {
        return TestEvents.inline("e1", "cam-1", task, new byte[] {1}, EVENT_TIME);
    }

    private static EngineResult text(Task task, String text, int generated) {
        return new EngineResult(
                "e1",
                task,
                text,
                java.util.Collections.nCopies(generated, 7),
                List.of(),
                FinishReason.STOP,
                200,
                48,
                10_000_000L,
                25_000_000L,
                2_500_000L,
                4_000_000L,
                Optional.empty());
    }

    private static EngineResult moderation(double... probabilities) {
        String[] names = {"skull", "radiation", "biohazard", "weapons"};
        List<dev.glimpse.serving.engine.CategoryScore> scores = new java.util.ArrayList<>();
        for (int i = 0; i < probabilities.length; i++) {
            // the engine's own flag (at its threshold) is not what the result reports
            scores.add(
                    new dev.glimpse.serving.engine.CategoryScore(
                            names[i], probabilities[i], false));
        }
        return new EngineResult(
                "e1",
                Task.MODERATION,
                "",
                List.of(),
                scores,
                FinishReason.STOP,
                400,
                0,
                30_000_000L,
                30_000_000L,
                0L,
                0L,
                Optional.empty());
    }

    @Test
    void aCaptionResultCarriesTheTextModelGridTokensAndIdentity() {
        PreparedRequest req = request(event("CAPTION"), 3, 1, 2, 1_000);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.CAPTION,
                                text(Task.CAPTION, "a red box", 5),
                                1_000,
                                EVENT_TIME.plusMillis(100));

        assertThat(r.getEventId()).isEqualTo("e1");
        assertThat(r.getSourceId()).isEqualTo("cam-1");
        assertThat(r.getEventTime()).isEqualTo(EVENT_TIME);
        assertThat(r.getTask()).isEqualTo(AnalysisTask.CAPTION);
        assertThat(r.getOutput()).isEqualTo(new Caption("a red box", null));
        assertThat(r.getModel()).isEqualTo(MODEL);
        assertThat(r.getSliceGrid()).isEqualTo(new SliceGrid(2, 1)); // columns, rows
        // visual tokens: 3 encoder inputs x 16 queries
        assertThat(r.getTokens()).isEqualTo(new TokenCounts(200, 48, 48, 5));
    }

    @Test
    void anOcrResultCarriesTheReadText() {
        PreparedRequest req = request(event("OCR"), 9, 2, 4, 1_000);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.OCR,
                                text(Task.OCR, "HELLO\nWORLD", 12),
                                1_000,
                                EVENT_TIME);

        assertThat(r.getOutput()).isEqualTo(new OcrText("HELLO\nWORLD", null, List.of(), false));
        assertThat(r.getSliceGrid()).isEqualTo(new SliceGrid(4, 2));
        assertThat(r.getTokens()).isEqualTo(new TokenCounts(200, 144, 48, 12));
    }

    @Test
    void anUnslicedImageHasNoSliceGridAndTheOverviewsTokensOnly() {
        PreparedRequest req = request(event("CAPTION"), 1, 0, 0, 1_000);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.CAPTION,
                                text(Task.CAPTION, "x", 1),
                                1_000,
                                EVENT_TIME);

        assertThat(r.getSliceGrid()).isNull();
        assertThat(r.getTokens().getVisualTokens()).isEqualTo(16);
    }

    @Test
    void timingsSplitTheEnginesNanosecondsIntoMillisecondsPerPhase() {
        // prepared at 1000, submitted at 1003: 3 ms before the engine, 2.5 ms inside it
        PreparedRequest req = request(event("CAPTION"), 1, 0, 0, 1_000);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.CAPTION,
                                text(Task.CAPTION, "x", 1),
                                1_003,
                                EVENT_TIME.plusMillis(1_234));

        // queued 3 + 2.5; encode 4; prefill = ttft 10 - queued 2.5 - encode 4; decode = 25 - 10
        assertThat(r.getTimings()).isEqualTo(new Timings(5.5, 4.0, 3.5, 15.0, 1_234.0));
    }

    @Test
    void timingsNeverGoNegative() {
        // submitted "before" prepared (clock step), first token "before" queue + encode,
        // answer "before" the event time (a camera clock ahead)
        PreparedRequest req = request(event("CAPTION"), 1, 0, 0, 2_000);
        EngineResult answer =
                new EngineResult(
                        "e1",
                        Task.CAPTION,
                        "x",
                        List.of(1),
                        List.of(),
                        FinishReason.LENGTH,
                        10,
                        0,
                        5_000_000L,
                        4_000_000L,
                        3_000_000L,
                        3_000_000L,
                        Optional.empty());

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.CAPTION,
                                answer,
                                1_000,
                                EVENT_TIME.minusMillis(50));

        assertThat(r.getTimings()).isEqualTo(new Timings(3.0, 3.0, 0.0, 0.0, 0.0));
    }

    @Test
    void moderationFlagsCategoriesAtOrAboveTheManifestThreshold() {
        PreparedRequest req = request(event("MODERATION"), 1, 0, 0, 1_000);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.MODERATION,
                                moderation(0.5, 0.49, 0.9, 0.1),
                                1_000,
                                EVENT_TIME);

        assertThat(r.getOutput())
                .isEqualTo(
                        new ModerationVerdict(
                                true,
                                List.of("skull", "biohazard"),
                                List.of(
                                        new CategoryScore("skull", 0.5, 0.5, true),
                                        new CategoryScore("radiation", 0.49, 0.5, false),
                                        new CategoryScore("biohazard", 0.9, 0.5, true),
                                        new CategoryScore("weapons", 0.1, 0.5, false))));
        assertThat(r.getTokens()).isEqualTo(new TokenCounts(400, 16, 0, 0));
    }

    @Test
    void aConfiguredThresholdOverridesTheManifestDefault() {
        PreparedRequest req = request(event("MODERATION"), 1, 0, 0, 1_000);
        var tasks = Map.of(AnalysisTask.MODERATION, new TaskSettings(1, "", List.of(), 0.7));

        AnalysisResult r =
                builder(tasks)
                        .build(
                                req,
                                AnalysisTask.MODERATION,
                                moderation(0.7, 0.69, 0.5),
                                1_000,
                                EVENT_TIME);

        assertThat(r.getOutput())
                .isEqualTo(
                        new ModerationVerdict(
                                true,
                                List.of("skull"),
                                List.of(
                                        new CategoryScore("skull", 0.7, 0.7, true),
                                        new CategoryScore("radiation", 0.69, 0.7, false),
                                        new CategoryScore("biohazard", 0.5, 0.7, false))));
    }

    @Test
    void nothingAboveTheThresholdMeansNotFlagged() {
        PreparedRequest req = request(event("MODERATION"), 1, 0, 0, 1_000);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                req,
                                AnalysisTask.MODERATION,
                                moderation(0.2, 0.3),
                                1_000,
                                EVENT_TIME);

        ModerationVerdict v = (ModerationVerdict) r.getOutput();
        assertThat(v.getFlagged()).isFalse();
        assertThat(v.getFlaggedCategories()).isEmpty();
        assertThat(v.getScores()).extracting(CategoryScore::getThreshold).containsExactly(0.5, 0.5);
    }

    @Test
    void theResultKeepsTheUsersAttributesWithoutTheKafkaOrigin() {
        Map<String, String> attributes = new HashMap<>(Map.of("zone", "north", "seq", "17"));
        KafkaOrigin.record(attributes, "glimpse.images", 3, 99L);
        ImageEvent event = event("CAPTION");
        event.setAttributes(attributes);

        AnalysisResult r =
                builder(Map.of())
                        .build(
                                request(event, 1, 0, 0, 0),
                                AnalysisTask.CAPTION,
                                text(Task.CAPTION, "x", 1),
                                0,
                                EVENT_TIME);

        assertThat(r.getAttributes()).isEqualTo(Map.of("zone", "north", "seq", "17"));
        assertThat(event.getAttributes()).containsKey(KafkaOrigin.TOPIC_ATTRIBUTE);
    }

    @Test
    void theManifestGivesTheModelIdQueriesPerInputAndDefaultThreshold() throws Exception {
        ModelManifest manifest = ModelManifest.read(TestPaths.modelDir().resolve("model.json"));
        ResultBuilder fromManifest = new ResultBuilder(manifest, Map.of());

        AnalysisResult r =
                fromManifest.build(
                        request(event("MODERATION"), 5, 2, 2, 0),
                        AnalysisTask.MODERATION,
                        moderation(0.5, 0.4999),
                        0,
                        EVENT_TIME);

        assertThat(r.getModel())
                .isEqualTo(new ModelInfo(manifest.name(), manifest.version()))
                .extracting(ModelInfo::getName)
                .isEqualTo("glimpse-tiny");
        assertThat(r.getTokens().getVisualTokens()).isEqualTo(5 * manifest.vision().queryNum());
        assertThat(((ModerationVerdict) r.getOutput()).getFlaggedCategories())
                .containsExactly("skull");
    }
}
