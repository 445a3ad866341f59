package dev.glimpse.operators.gate;

import dev.glimpse.operators.ingest.EventValidator;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import dev.glimpse.serving.image.ImageRejectedException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per-camera frame gate, keyed by source id: drops frames that are too old, caps frames per second,
 * and skips frames that are near-duplicates (difference hash) of the last frame it let through.
 * Only events of the configured tasks are gated (camera captioning by default); others pass.
 *
 * <p>Skipped frames are intentional drops, not failures: they are counted in {@code
 * glimpse_pipeline.frames_skipped{reason=too_old|rate_limited|duplicate}} (docs/metrics.md), not
 * dead-lettered, and each leaves a skip record on the {@link SkipRecords#OUTPUT} side output (the
 * job writes them to the results topic) so that the skipped event ids stay observable. A frame that
 * cannot be decoded passes so that the preprocessing step dead-letters it with its reason.
 */
public final class FrameGate extends KeyedProcessFunction<String, ImageEvent, ImageEvent> {

    private static final long serialVersionUID = 1L;

    /**
     * The hash reads camera frames point-sampled down to this shorter side (a 1280x720 frame at
     * 256x144, each of the 9x8 hash cells still averaging ~500 samples): about half the cost of a
     * full decode for JPEG frames. Only the frames that pass are decoded in full, by Preprocess.
     */
    static final int HASH_MIN_SIDE = 128;

    private final FrameGateConfig config;
    private final DecodeLimits decodeLimits;

    private transient ValueState<Long> lastHash;
    private transient ValueState<Long> lastEventTime;
    private transient ImageDecoder decoder;
    private transient Counter skippedStale;
    private transient Counter skippedRate;
    private transient Counter skippedDuplicate;

    public FrameGate(FrameGateConfig config, DecodeLimits decodeLimits) {
        this.config = config;
        this.decodeLimits = decodeLimits;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(config.stateTtl()).build();
        ValueStateDescriptor<Long> hash = new ValueStateDescriptor<>("last-hash", Long.class);
        hash.enableTimeToLive(ttl);
        ValueStateDescriptor<Long> time = new ValueStateDescriptor<>("last-event-time", Long.class);
        time.enableTimeToLive(ttl);
        lastHash = getRuntimeContext().getState(hash);
        lastEventTime = getRuntimeContext().getState(time);
        decoder = new ImageDecoder(decodeLimits);
        var group = getRuntimeContext().getMetricGroup().addGroup("glimpse_pipeline");
        skippedStale = group.addGroup("reason", "too_old").counter("frames_skipped");
        skippedRate = group.addGroup("reason", "rate_limited").counter("frames_skipped");
        skippedDuplicate = group.addGroup("reason", "duplicate").counter("frames_skipped");
    }

    @Override
    public void processElement(ImageEvent event, Context ctx, Collector<ImageEvent> out)
            throws Exception {
        Optional<AnalysisTask> task = EventValidator.parseTask(event.getTask());
        if (task.isEmpty() || !config.gatedTasks().contains(task.get())) {
            out.collect(event);
            return;
        }
        long eventTime = event.getEventTime().toEpochMilli();
        if (!config.maxAge().isZero()
                && ctx.timerService().currentProcessingTime() - eventTime
                        > config.maxAge().toMillis()) {
            skippedStale.inc();
            ctx.output(SkipRecords.OUTPUT, SkipRecords.of(event, task.get(), SkipRecords.TOO_OLD));
            return;
        }
        Long previousTime = lastEventTime.value();
        if (previousTime != null
                && !config.minInterval().isZero()
                && eventTime - previousTime < config.minInterval().toMillis()) {
            skippedRate.inc();
            ctx.output(
                    SkipRecords.OUTPUT,
                    SkipRecords.of(event, task.get(), SkipRecords.RATE_LIMITED));
            return;
        }
        Long hash = hash(event);
        Long previousHash = lastHash.value();
        if (hash != null
                && previousHash != null
                && config.duplicateDistance() >= 0
                && DifferenceHash.distance(hash, previousHash) <= config.duplicateDistance()) {
            skippedDuplicate.inc();
            ctx.output(
                    SkipRecords.OUTPUT, SkipRecords.of(event, task.get(), SkipRecords.DUPLICATE));
            return;
        }
        lastEventTime.update(eventTime);
        lastHash.update(hash);
        out.collect(event);
    }

    /** The difference hash of an inline image; null for URIs and undecodable bytes. */
    private Long hash(ImageEvent event) {
        if (config.duplicateDistance() < 0 || !(event.getImage() instanceof InlineImage inline)) {
            return null;
        }
        ByteBuffer data = inline.getData().duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        try {
            return frameHash(decoder, bytes, event.getEventId());
        } catch (ImageRejectedException e) {
            return null;
        }
    }

    /**
     * The hash the gate compares frames by: the difference hash of the frame read subsampled to
     * {@link #HASH_MIN_SIDE}. Public so that tests can state their premises in the gate's terms.
     */
    public static long frameHash(ImageDecoder decoder, byte[] encoded, String label)
            throws ImageRejectedException {
        return DifferenceHash.of(decoder.decodeThumbnail(encoded, label, HASH_MIN_SIDE).pixels());
    }
}
