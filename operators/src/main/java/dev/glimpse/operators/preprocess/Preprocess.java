package dev.glimpse.operators.preprocess;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.ingest.EventValidator;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import dev.glimpse.serving.image.ImageRejectedException;
import dev.glimpse.serving.image.RgbImage;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelManifest;
import dev.glimpse.serving.model.PackedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and slices each event's image (inline, or fetched by {@link ImageFetch}) the way the
 * model's manifest says (MiniCPM-V adaptive slicing, per-task slice bound), so that the next
 * operator only runs the engine. The fetch stage's dead letters pass through to the side output;
 * decode failures join them with their reason; nothing else escapes.
 */
public final class Preprocess extends ProcessFunction<FetchOutcome, PreparedRequest> {

    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private final DecodeLimits limits;
    private final Map<AnalysisTask, TaskSettings> tasks;

    private transient ImageDecoder decoder;
    private transient ImagePreprocessor preprocessor;
    private transient Clock clock;
    private transient Counter prepared;

    /**
     * @param modelDir the model directory on the TaskManagers (its manifest gives the slicing)
     * @param limits decode limits
     * @param tasks per-task settings (slice bound; tasks not named use the manifest's)
     */
    public Preprocess(String modelDir, DecodeLimits limits, Map<AnalysisTask, TaskSettings> tasks) {
        this.modelDir = modelDir;
        this.limits = limits;
        this.tasks = Map.copyOf(tasks);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        ModelManifest manifest = ModelManifest.read(Path.of(modelDir).resolve("model.json"));
        Map<Task, Integer> maxSlices = new EnumMap<>(Task.class);
        for (Map.Entry<AnalysisTask, TaskSettings> e : tasks.entrySet()) {
            if (e.getValue().maxSlices() != null) {
                maxSlices.put(
                        engineTask(e.getKey()),
                        Math.min(e.getValue().maxSlices(), manifest.vision().maxSliceNums()));
            }
        }
        // the model directory says whether photos are turned upright by EXIF (model.json
        // preprocessing.exifOrientation; the MiniCPM-V reference processor never does)
        decoder = new ImageDecoder(limits, manifest.inputs().exifOrientation());
        preprocessor = new ImagePreprocessor(manifest, limits, maxSlices);
        clock = Clock.systemUTC();
        prepared = getRuntimeContext().getMetricGroup().counter("imagesPrepared");
    }

    @Override
    public void processElement(FetchOutcome fetched, Context ctx, Collector<PreparedRequest> out) {
        if (fetched.isFailed()) {
            ctx.output(DeadLetters.OUTPUT, fetched.getDeadLetter());
            return;
        }
        ImageEvent event = fetched.getEvent();
        Task task = engineTask(EventValidator.parseTask(event.getTask()).orElseThrow());
        try {
            byte[] bytes = imageBytes(fetched);
            RgbImage pixels = decoder.decode(bytes, "event " + event.getEventId()).pixels();
            PackedImage image = preprocessor.prepareBytes(pixels, task);
            prepared.inc();
            out.collect(
                    PreparedRequest.of(
                            event,
                            image,
                            preprocessor.normalization(),
                            pixels.width(),
                            pixels.height(),
                            clock.millis()));
        } catch (ImageRejectedException e) {
            reject(ctx, event, FailureStage.DECODE, reasonOf(e), e.getMessage());
        } catch (RuntimeException e) {
            // Slicing bugs must not kill the job: the event is dead-lettered with what happened.
            reject(
                    ctx,
                    event,
                    FailureStage.PREPROCESS,
                    ReasonCode.UNKNOWN,
                    "event " + event.getEventId() + ": " + e);
        }
    }

    /** The encoded image: fetched from its URI, else the event's inline bytes. */
    private static byte[] imageBytes(FetchOutcome fetched) {
        if (fetched.getFetchedBytes() != null) {
            return fetched.getFetchedBytes();
        }
        if (fetched.getEvent().getImage() instanceof InlineImage inline) {
            ByteBuffer data = inline.getData().duplicate();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            return bytes;
        }
        throw new IllegalStateException("image URI not fetched before preprocessing");
    }

    private void reject(
            Context ctx, ImageEvent event, FailureStage stage, ReasonCode reason, String message) {
        ctx.output(
                DeadLetters.OUTPUT,
                DeadLetters.forEvent(event, stage, reason, message, clock.instant()));
    }

    /** The engine's name for a task. */
    public static Task engineTask(AnalysisTask task) {
        return Task.valueOf(task.name());
    }

    /** The dead-letter reason of a decoder rejection. */
    static ReasonCode reasonOf(ImageRejectedException e) {
        return switch (e.reason()) {
            case UNSUPPORTED_FORMAT -> ReasonCode.UNSUPPORTED_FORMAT;
            case CORRUPT -> ReasonCode.CORRUPT_IMAGE;
            case TRUNCATED -> ReasonCode.TRUNCATED_IMAGE;
            case TOO_LARGE -> ReasonCode.PAYLOAD_TOO_LARGE;
            case DIMENSION_TOO_LARGE -> ReasonCode.IMAGE_TOO_LARGE;
            case TOO_MANY_PIXELS -> ReasonCode.TOO_MANY_PIXELS;
            case TOO_SMALL -> ReasonCode.IMAGE_TOO_SMALL;
        };
    }
}
