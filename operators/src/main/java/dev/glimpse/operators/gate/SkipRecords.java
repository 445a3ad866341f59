package dev.glimpse.operators.gate;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.FrameSkip;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenCounts;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * The skip records of the frame gate: one {@link AnalysisResult} with {@code skipped} set per event
 * that the gate did not analyse, written to the results topic beside the analyses so that every
 * event id that entered the job can be accounted for (a result, a dead letter or a skip).
 *
 * <p>Version 2 of the schema could only add a field, so the required fields of a skip record hold
 * neutral values (an empty caption, zero tokens and timings, an empty model); readers of analyses
 * check {@link #isSkip} first (OutputTopicsReader routes skips to their own callback).
 */
public final class SkipRecords {

    /** Side output of {@link FrameGate} carrying the skip records. */
    public static final OutputTag<AnalysisResult> OUTPUT =
            new OutputTag<>("frame-skips", TypeInformation.of(AnalysisResult.class));

    /** The {@code reason} of a frame older than {@code frameGate.maxAge}. */
    public static final String TOO_OLD = "too_old";

    /** The {@code reason} of a frame within {@code frameGate.minInterval} of the last one. */
    public static final String RATE_LIMITED = "rate_limited";

    /** The {@code reason} of a near-duplicate of the last accepted frame. */
    public static final String DUPLICATE = "duplicate";

    private static final ModelInfo NO_MODEL = new ModelInfo("", "");

    private SkipRecords() {}

    /** The skip record of {@code event} (a gated, hence CAPTION-like, task) for {@code reason}. */
    public static AnalysisResult of(ImageEvent event, AnalysisTask task, String reason) {
        return AnalysisResult.newBuilder()
                .setEventId(event.getEventId())
                .setSourceId(event.getSourceId())
                .setEventTime(event.getEventTime())
                .setTask(task)
                .setOutput(new Caption("", null))
                .setModel(NO_MODEL)
                .setSliceGrid(null)
                .setTokens(new TokenCounts(0, 0, 0, 0))
                .setTimings(new Timings(0d, 0d, 0d, 0d, 0d))
                .setAttributes(Map.of())
                .setSkipped(new FrameSkip(reason))
                .build();
    }

    /** Whether {@code result} is a skip record rather than an analysis. */
    public static boolean isSkip(AnalysisResult result) {
        return result.getSkipped() != null;
    }
}
