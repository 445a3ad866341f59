package dev.glimpse.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.operators.TestImages;
import dev.glimpse.operators.TestPaths;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelManifest;
import java.awt.Color;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Preprocess with the bundled model (scale resolution 112, patch 14, model bound 9 slices; manifest
 * per-task bounds caption 4, OCR 9, moderation 4) and per-task settings caption 2, OCR 9.
 */
class PreprocessTest {

    private static final Map<AnalysisTask, TaskSettings> TASKS =
            Map.of(
                    AnalysisTask.CAPTION, TaskSettings.DEFAULT.withMaxSlices(2),
                    AnalysisTask.OCR, TaskSettings.DEFAULT.withMaxSlices(9));

    private static final Set<ReasonCode> BOMB =
            Set.of(ReasonCode.TOO_MANY_PIXELS, ReasonCode.IMAGE_TOO_LARGE);

    /**
     * What each "must be rejected cleanly" file of the corpus must be dead-lettered as. A file
     * whose signature is damaged is not recognisable as its format any more, so the decoder may
     * call it unsupported rather than corrupt; a file whose header claims a zero size is too small.
     */
    private static final Map<String, Set<ReasonCode>> REJECTED =
            Map.ofEntries(
                    corrupt("png/pngsuite/xc1n0g08.png"),
                    corrupt("png/pngsuite/xc9n2c08.png"),
                    unsupported("png/pngsuite/xcrn0g04.png"),
                    corrupt("png/pngsuite/xcsn0g01.png"),
                    corrupt("png/pngsuite/xd0n2c08.png"),
                    corrupt("png/pngsuite/xd3n2c08.png"),
                    corrupt("png/pngsuite/xd9n2c08.png"),
                    corrupt("png/pngsuite/xdtn0g01.png"),
                    corrupt("png/pngsuite/xhdn0g08.png"),
                    unsupported("png/pngsuite/xlfn0g04.png"),
                    unsupported("png/pngsuite/xs1n0g01.png"),
                    unsupported("png/pngsuite/xs2n0g01.png"),
                    unsupported("png/pngsuite/xs4n0g01.png"),
                    unsupported("png/pngsuite/xs7n0g01.png"),
                    corrupt("png/libpng-crashers/bad_iCCP.png"),
                    corrupt("png/libpng-crashers/badadler.png"),
                    corrupt("png/libpng-crashers/badcrc.png"),
                    truncated("png/libpng-crashers/huge_IDAT.png"),
                    truncated("png/libpng-crashers/huge_iCCP_chunk.png"),
                    truncated("png/libpng-crashers/huge_tEXt_chunk.png"),
                    Map.entry(
                            "jpeg/libjpeg-turbo/monkey12.jpg",
                            Set.of(ReasonCode.UNSUPPORTED_FORMAT)),
                    unsupportedOrCorrupt("jpeg/libjpeg-turbo/testorig12.jpg"),
                    truncated("jpeg/pillow/truncated_jpeg.jpg"),
                    unsupportedOrCorrupt("bmp/bmpsuite/b/badbitcount.bmp"),
                    Map.entry("bmp/bmpsuite/b/reallybig.bmp", BOMB),
                    truncated("bmp/bmpsuite/b/shortfile.bmp"),
                    Map.entry("gif/pillow/decompression_bomb.gif", BOMB),
                    tooSmall("gif/pillow/zero_width.gif"),
                    tooSmall("tiff/golang-image/0x0.tiff"),
                    corrupt("tiff/golang-image/invalid-palette-ref.tiff"),
                    corrupt("tiff/pillow/crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif"),
                    corrupt("tiff/pillow/oom-225817ca0f8c663be7ab4b9e717b02c661e66834.tif"),
                    corrupt("tiff/pillow/seek_too_large.tif"),
                    Map.entry("hostile/bomb_100000x100000.png", BOMB),
                    unsupported("hostile/empty_0_bytes.jpg"),
                    unsupported("hostile/random_bytes.jpg"),
                    truncated("hostile/truncated_half.jpg"));

    private OneInputStreamOperatorTestHarness<FetchOutcome, PreparedRequest> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = open(DecodeLimits.DEFAULTS);
    }

    private static OneInputStreamOperatorTestHarness<FetchOutcome, PreparedRequest> open(
            DecodeLimits limits) throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(
                new Preprocess(TestPaths.modelDir().toString(), limits, TASKS));
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(DeadLetters.OUTPUT);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private PreparedRequest onlyRequestFor(ImageEvent event) throws Exception {
        return onlyRequestFor(FetchOutcome.inline(event));
    }

    private PreparedRequest onlyRequestFor(FetchOutcome fetched) throws Exception {
        harness.processElement(fetched, 0L);
        assertThat(deadLetters()).isEmpty();
        List<PreparedRequest> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private DeadLetter onlyDeadLetterOf(ImageEvent event) throws Exception {
        harness.processElement(FetchOutcome.inline(event), 0L);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).hasSize(1);
        return deadLetters().get(0);
    }

    private static void assertInputs(
            PreparedRequest r, int[] patchRows, int[] patchCols, int gridRows, int gridCols) {
        assertThat(r.patchRows).containsExactly(patchRows);
        assertThat(r.patchCols).containsExactly(patchCols);
        assertThat(r.gridRows).isEqualTo(gridRows);
        assertThat(r.gridCols).isEqualTo(gridCols);
        assertThat(r.slicePixels.length).isEqualTo(patchRows.length);
        for (int i = 0; i < patchRows.length; i++) {
            // 3 channels x 14 x 14 values per patch
            assertThat(r.slicePixels[i]).hasSize(3 * 14 * 14 * patchRows[i] * patchCols[i]);
        }
    }

    @Test
    void aSmallPictureIsOneUpscaledOverviewWithoutSlices() throws Exception {
        byte[] small = TestImages.png(TestImages.solid(64, 48, Color.ORANGE)); // 3072 px
        ImageEvent event = TestEvents.inline("small", "cam-1", "CAPTION", small);
        Instant before = Instant.now();

        PreparedRequest r = onlyRequestFor(event);

        assertThat(r.event)
                .isEqualTo(
                        ImageEvent.newBuilder(event)
                                .setImage(new InlineImage(ByteBuffer.allocate(0)))
                                .build());
        assertThat(r.width).isEqualTo(64);
        assertThat(r.height).isEqualTo(48);
        // 64x48 scaled to an area of about 112^2 keeping 4:3: 127x96, snapped to 126x98
        assertInputs(r, new int[] {7}, new int[] {9}, 0, 0);
        assertThat(r.contentHash).endsWith("/s112m2");
        assertThat(r.preparedAtMillis)
                .isBetween(before.toEpochMilli(), Instant.now().toEpochMilli());
    }

    @Test
    void aLargePictureForOcrIsCutIntoTheGridOfItsAspectRatioUpToNineSlices() throws Exception {
        byte[] png = TestImages.png(TestImages.solid(448, 224, Color.WHITE)); // 8 x 112^2

        PreparedRequest r = onlyRequestFor(TestEvents.inline("big", "scanner", "OCR", png));

        assertThat(r.width).isEqualTo(448);
        assertThat(r.height).isEqualTo(224);
        // overview 154x84 (11x6 patches), then 4 columns x 2 rows of 112x112 slices (8x8)
        assertInputs(
                r,
                new int[] {6, 8, 8, 8, 8, 8, 8, 8, 8},
                new int[] {11, 8, 8, 8, 8, 8, 8, 8, 8},
                2,
                4);
        assertThat(r.contentHash).endsWith("/s112m9");
    }

    @Test
    void theSamePictureForCaptionIsBoundByTheCaptionSettingOfTwoSlices() throws Exception {
        byte[] png = TestImages.png(TestImages.solid(448, 224, Color.WHITE));

        PreparedRequest r = onlyRequestFor(TestEvents.inline("big", "cam-1", "CAPTION", png));

        // overview, then 2 columns x 1 row of 112x112 slices
        assertInputs(r, new int[] {6, 8, 8}, new int[] {11, 8, 8}, 1, 2);
        assertThat(r.contentHash).endsWith("/s112m2");
    }

    @Test
    void aTaskWithoutSettingsUsesTheManifestBoundOfFourSlices() throws Exception {
        byte[] png = TestImages.png(TestImages.solid(448, 224, Color.WHITE));

        PreparedRequest r = onlyRequestFor(TestEvents.inline("big", "up", "MODERATION", png));

        // 3 columns x 1 row fit 2:1 best within 4 slices; each slice 84x140 (6x10 patches)
        assertInputs(r, new int[] {6, 10, 10, 10}, new int[] {11, 6, 6, 6}, 1, 3);
        assertThat(r.contentHash).endsWith("/s112m4");
    }

    @Test
    void theRequestCarriesUint8StripsThatBecomeExactlyTheEnginesFloatImage() throws Exception {
        byte[] png = TestImages.png(TestImages.sceneA());

        PreparedRequest r = onlyRequestFor(TestEvents.inline("a", "cam-1", "CAPTION", png));
        EngineImage image = r.toEngineImage();
        EngineImage direct =
                new ImagePreprocessor(
                                ModelManifest.read(TestPaths.modelDir().resolve("model.json")),
                                DecodeLimits.DEFAULTS,
                                Map.of(Task.CAPTION, 2)) // as TASKS
                        .prepare(png, "a", Task.CAPTION);

        assertThat(image.contentHash()).isEqualTo(r.contentHash).isEqualTo(direct.contentHash());
        assertThat(image.gridRows()).isEqualTo(r.gridRows);
        assertThat(image.gridCols()).isEqualTo(r.gridCols);
        assertThat(image.slices()).hasSize(r.slicePixels.length);
        for (int i = 0; i < image.slices().size(); i++) {
            // a quarter of the float strip's bytes in flight, the same values in the engine
            assertThat(r.slicePixels[i]).hasSize(direct.slices().get(i).pixels().length);
            assertThat(image.slices().get(i).pixels())
                    .containsExactly(direct.slices().get(i).pixels());
        }
    }

    @Test
    void anImageFetchedByUriIsDecodedAndTheRequestKeepsTheUri() throws Exception {
        byte[] png = TestImages.png(TestImages.solid(64, 48, Color.BLUE));
        ImageEvent event = TestEvents.byUri("uri", "up", "OCR", "file:///data/images/f.png");

        PreparedRequest r = onlyRequestFor(FetchOutcome.fetched(event, png));

        assertThat(r.width).isEqualTo(64);
        assertThat(r.height).isEqualTo(48);
        assertInputs(r, new int[] {7}, new int[] {9}, 0, 0);
        assertThat(r.event).isEqualTo(event);
    }

    @Test
    void theRequestHoldsTheEventsMetadataButNotItsInlineBytes() throws Exception {
        byte[] png = TestImages.png(TestImages.solid(448, 224, Color.WHITE));
        ImageEvent event =
                TestEvents.fromKafka(
                        ImageEvent.newBuilder(TestEvents.inline("m", "cam-9", "MODERATION", png))
                                .setPrompt("anything odd?")
                                .setModerationCategories(List.of("violence", "weapons"))
                                .setContentType("image/png")
                                .build(),
                        "glimpse.images",
                        3,
                        42L);

        PreparedRequest r = onlyRequestFor(event);

        assertThat(((InlineImage) r.event.getImage()).getData().remaining()).isZero();
        assertThat(r.event.getEventId()).isEqualTo("m");
        assertThat(r.event.getSourceId()).isEqualTo("cam-9");
        assertThat(r.event.getEventTime()).isEqualTo(TestEvents.T0);
        assertThat(r.event.getTask()).isEqualTo("MODERATION");
        assertThat(r.event.getPrompt()).isEqualTo("anything odd?");
        assertThat(r.event.getModerationCategories()).containsExactly("violence", "weapons");
        assertThat(r.event.getContentType()).isEqualTo("image/png");
        assertThat(r.event.getAttributes()).isEqualTo(event.getAttributes());
        assertThat(((InlineImage) event.getImage()).getData().remaining())
                .as("the input event is untouched")
                .isEqualTo(png.length);
    }

    @Test
    void aFetchStageDeadLetterPassesThroughUnchanged() throws Exception {
        DeadLetter fromFetch =
                DeadLetters.forEvent(
                        TestEvents.byUri("far", "up", "OCR", "file:///etc/shadow"),
                        FailureStage.FETCH,
                        ReasonCode.URI_NOT_ALLOWED,
                        "event far: not allowed",
                        TestEvents.T0);

        harness.processElement(FetchOutcome.failed(fromFetch), 0L);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).containsExactly(fromFetch);
    }

    @Test
    void anInlineImageOverTheEncodedByteLimitIsRejectedAtDecode() throws Exception {
        harness.close();
        harness = open(new DecodeLimits(100, 32_768, 32_768, 40_000_000L, 1, 1));

        DeadLetter dl = onlyDeadLetterOf(TestEvents.inline("big", "cam", "OCR", new byte[101]));

        assertThat(dl.getStage()).isEqualTo(FailureStage.DECODE);
        assertThat(dl.getReason()).isEqualTo(ReasonCode.PAYLOAD_TOO_LARGE);
    }

    @Test
    void aPictureBelowTheMinimumSizeIsDeadLetteredAsTooSmall() throws Exception {
        harness.close();
        harness = open(new DecodeLimits(1 << 20, 32_768, 32_768, 40_000_000L, 16, 16));
        byte[] png = TestImages.png(TestImages.solid(8, 8, Color.RED));

        DeadLetter dl = onlyDeadLetterOf(TestEvents.inline("tiny", "cam", "OCR", png));

        assertThat(dl.getStage()).isEqualTo(FailureStage.DECODE);
        assertThat(dl.getReason()).isEqualTo(ReasonCode.IMAGE_TOO_SMALL);
    }

    private static List<TestPaths.CorpusFile> corpusRows() {
        return TestPaths.corpusFiles();
    }

    @Test
    void everyFileTheCorpusMustRejectHasAnExpectedReasonHere() {
        List<String> mustReject =
                corpusRows().stream()
                        .filter(r -> r.expected().equals("rejected"))
                        .map(TestPaths.CorpusFile::path)
                        .sorted()
                        .toList();

        assertThat(mustReject).hasSize(37).containsExactlyInAnyOrderElementsOf(REJECTED.keySet());
    }

    @TestFactory
    Stream<DynamicTest> everyFileTheCorpusMustRejectIsDeadLetteredAtDecodeWithItsReason() {
        return corpusRows().stream()
                .filter(r -> r.expected().equals("rejected"))
                .map(
                        r ->
                                DynamicTest.dynamicTest(
                                        "#" + r.number() + " " + r.path(), () -> checkRejected(r)));
    }

    private void checkRejected(TestPaths.CorpusFile row) throws Exception {
        byte[] bytes = Files.readAllBytes(TestPaths.corpus().resolve(row.path()));
        String id = "corpus-" + row.number();
        harness.close();
        harness = open(DecodeLimits.DEFAULTS);

        harness.processElement(
                FetchOutcome.inline(TestEvents.inline(id, "corpus", "OCR", bytes)), 0L);

        assertThat(harness.extractOutputValues()).as(row.path()).isEmpty();
        assertThat(deadLetters()).as(row.path()).hasSize(1);
        DeadLetter dl = deadLetters().get(0);
        assertThat(dl.getStage())
                .as(row.path() + ": " + dl.getMessage())
                .isEqualTo(FailureStage.DECODE);
        assertThat(dl.getReason())
                .as(row.path() + ": " + dl.getMessage())
                .isNotEqualTo(ReasonCode.UNKNOWN)
                .isIn(REJECTED.get(row.path()));
        assertThat(dl.getEventId()).isEqualTo(id);
        assertThat(dl.getMessage()).startsWith("event " + id + ": ");
    }

    @TestFactory
    Stream<DynamicTest> everyFileTheCorpusDecodesBecomesOnePreparedRequestOfItsSize() {
        return corpusRows().stream()
                .filter(r -> r.expected().equals("decodes"))
                .map(
                        r ->
                                DynamicTest.dynamicTest(
                                        "#" + r.number() + " " + r.path(), () -> checkDecodes(r)));
    }

    private void checkDecodes(TestPaths.CorpusFile row) throws Exception {
        byte[] bytes = Files.readAllBytes(TestPaths.corpus().resolve(row.path()));
        harness.close();
        harness = open(DecodeLimits.DEFAULTS);

        harness.processElement(
                FetchOutcome.inline(TestEvents.inline("d" + row.number(), "corpus", "OCR", bytes)),
                0L);

        assertThat(deadLetters()).as(row.path()).isEmpty();
        List<PreparedRequest> out = harness.extractOutputValues();
        assertThat(out).as(row.path()).hasSize(1);
        int w = row.width();
        int h = row.height();
        PreparedRequest r = out.get(0);
        // EXIF orientation 6 swaps the sides of hopper_orientation_6.jpg (a square: no change)
        assertThat(Set.of(r.width + "x" + r.height))
                .as(row.path())
                .containsAnyOf(w + "x" + h, h + "x" + w);
        assertThat(r.slicePixels.length).isBetween(1, 10);
    }

    private static Map.Entry<String, Set<ReasonCode>> corrupt(String path) {
        return Map.entry(path, Set.of(ReasonCode.CORRUPT_IMAGE));
    }

    private static Map.Entry<String, Set<ReasonCode>> truncated(String path) {
        return Map.entry(path, Set.of(ReasonCode.TRUNCATED_IMAGE));
    }

    private static Map.Entry<String, Set<ReasonCode>> unsupported(String path) {
        return Map.entry(path, Set.of(ReasonCode.UNSUPPORTED_FORMAT));
    }

    private static Map.Entry<String, Set<ReasonCode>> unsupportedOrCorrupt(String path) {
        return Map.entry(path, Set.of(ReasonCode.UNSUPPORTED_FORMAT, ReasonCode.CORRUPT_IMAGE));
    }

    private static Map.Entry<String, Set<ReasonCode>> tooSmall(String path) {
        return Map.entry(path, Set.of(ReasonCode.IMAGE_TOO_SMALL));
    }
}
