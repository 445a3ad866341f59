package dev.glimpse.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.operators.TestImages;
import dev.glimpse.operators.TestPaths;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.slicing.ImageSize;
import dev.glimpse.serving.slicing.SliceConfig;
import dev.glimpse.serving.slicing.SliceLayout;
import dev.glimpse.serving.slicing.SlicePlanner;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * What one in-flight request weighs in the Analyze operator's checkpointed state, measured with the
 * serializer Flink picks for {@link PreparedRequest}: the uint8 slice strips (3 bytes a pixel of
 * every encoder input), a few hundred bytes of metadata, and not the encoded image any more. The
 * figures are documented in docs/checkpoint-state.md.
 */
class PreparedRequestStateSizeTest {

    private static final TypeSerializer<PreparedRequest> SERIALIZER =
            TypeInformation.of(PreparedRequest.class).createSerializer(new SerializerConfigImpl());

    private static int serializedSize(PreparedRequest r) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(1 << 20);
        SERIALIZER.serialize(r, out);
        return out.length();
    }

    private static PreparedRequest prepare(ImageEvent event) throws Exception {
        try (OneInputStreamOperatorTestHarness<FetchOutcome, PreparedRequest> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new Preprocess(
                                TestPaths.modelDir().toString(),
                                DecodeLimits.DEFAULTS,
                                Map.of(AnalysisTask.OCR, TaskSettings.DEFAULT.withMaxSlices(9))))) {
            harness.processElement(FetchOutcome.inline(event), 0L);
            List<PreparedRequest> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            return out.get(0);
        }
    }

    private static long stripBytes(PreparedRequest r) {
        long n = 0;
        for (byte[] strip : r.slicePixels) {
            n += strip.length;
        }
        return n;
    }

    @Test
    void aCameraFrameAndAnOcrPageAreCheckpointedAsTheirStripsPlusMetadataWithoutTheirBytes()
            throws Exception {
        // a 1920x1080 camera frame (CAPTION, the manifest's 4 slices) and an A4 page scanned at
        // 150 dpi, 1240x1754 (OCR, 9 slices); JPEG-encoded inline like a camera sends them
        byte[] frame =
                TestImages.jpeg(
                        TestImages.withNoise(
                                TestImages.scaled(TestImages.sceneA(), 1920, 1080), 1, 24));
        byte[] page =
                TestImages.jpeg(
                        TestImages.withNoise(
                                TestImages.scaled(TestImages.sceneB(), 1240, 1754), 2, 24));
        ImageEvent frameEvent =
                TestEvents.fromKafka(
                        TestEvents.inline("frame-1", "cam-1", "CAPTION", frame),
                        "glimpse.images",
                        0,
                        1L);
        ImageEvent pageEvent =
                TestEvents.fromKafka(
                        TestEvents.inline("page-1", "scanner", "OCR", page),
                        "glimpse.images",
                        1,
                        2L);

        PreparedRequest frameRequest = prepare(frameEvent);
        PreparedRequest pageRequest = prepare(pageEvent);

        for (var c :
                List.of(
                        Map.entry(frameRequest, frame.length),
                        Map.entry(pageRequest, page.length))) {
            PreparedRequest r = c.getKey();
            int size = serializedSize(r);
            long strips = stripBytes(r);
            PreparedRequest asBefore = copyWithEvent(r, r == frameRequest ? frameEvent : pageEvent);
            int before = serializedSize(asBefore);
            System.out.printf(
                    "%s %dx%d: %d encoder inputs, strips %d B, serialized %d B (metadata %d B);"
                            + " with the inline bytes %d B (encoded image %d B)%n",
                    r.event.getEventId(),
                    r.width,
                    r.height,
                    r.slicePixels.length,
                    strips,
                    size,
                    size - strips,
                    before,
                    c.getValue());
            assertThat(size - strips).as("metadata beside the strips").isBetween(0L, 1024L);
            assertThat(before - size).as("the inline bytes dropped").isEqualTo(c.getValue());
        }
        // bundled model: 112 px scale resolution, 14 px patches; 3 bytes a pixel
        assertThat(frameRequest.slicePixels.length).isEqualTo(4); // overview + 3x1 slices
        assertThat(pageRequest.slicePixels.length).isEqualTo(9); // overview + 2x4 slices
        assertThat(stripBytes(frameRequest)).isEqualTo(3L * 14 * 14 * patches(frameRequest));
        assertThat(stripBytes(pageRequest)).isEqualTo(3L * 14 * 14 * patches(pageRequest));
    }

    @Test
    void
            withMiniCpmVsFullScaleResolutionTheStripsOfTheSamePicturesWeighTwoAndAHalfAndFiveMegabytes() {
        // MiniCPM-V 2.6: 448 px scale resolution, up to 9 slices; the request's strips are
        // 3 bytes a pixel of the overview and of every slice
        SlicePlanner caption = new SlicePlanner(SliceConfig.MINICPM_V.withMaxSlices(4));
        SlicePlanner ocr = new SlicePlanner(SliceConfig.MINICPM_V);

        long frame = pixelBytes(caption.plan(new ImageSize(1920, 1080)));
        long page = pixelBytes(ocr.plan(new ImageSize(1240, 1754)));

        System.out.printf("MiniCPM-V 2.6: frame strips %d B, page strips %d B%n", frame, page);
        assertThat(frame).isEqualTo(2_459_016L);
        assertThat(page).isEqualTo(5_429_592L);
    }

    private static long pixelBytes(SliceLayout layout) {
        long pixels = layout.overview().area();
        if (layout.isSliced()) {
            pixels += layout.sliceCount() * layout.slice().area();
        }
        return 3 * pixels;
    }

    private static long patches(PreparedRequest r) {
        long n = 0;
        for (int i = 0; i < r.patchRows.length; i++) {
            n += (long) r.patchRows[i] * r.patchCols[i];
        }
        return n;
    }

    private static PreparedRequest copyWithEvent(PreparedRequest r, ImageEvent event) {
        PreparedRequest c = new PreparedRequest();
        c.event = event;
        c.contentHash = r.contentHash;
        c.slicePixels = r.slicePixels;
        c.mean = r.mean;
        c.std = r.std;
        c.patchRows = r.patchRows;
        c.patchCols = r.patchCols;
        c.gridRows = r.gridRows;
        c.gridCols = r.gridCols;
        c.width = r.width;
        c.height = r.height;
        c.preparedAtMillis = r.preparedAtMillis;
        return c;
    }
}
