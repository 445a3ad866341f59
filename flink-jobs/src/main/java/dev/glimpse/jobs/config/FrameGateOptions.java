package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.bool;
import static dev.glimpse.jobs.config.GlimpseOption.duration;
import static dev.glimpse.jobs.config.GlimpseOption.integer;

import dev.glimpse.operators.gate.FrameGateConfig;
import dev.glimpse.schemas.AnalysisTask;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The {@code frameGate.*} options: which camera frames reach the model. */
public final class FrameGateOptions {

    private FrameGateOptions() {}

    public static final GlimpseOption<Boolean> ENABLED =
            bool("frameGate.enabled", true, "Gate camera frames (per source id).");

    public static final GlimpseOption<Set<AnalysisTask>> TASKS =
            GlimpseOption.of(
                    "frameGate.tasks",
                    "CAPTION",
                    "Tasks whose events are gated.",
                    (k, v) -> {
                        Set<AnalysisTask> out = EnumSet.noneOf(AnalysisTask.class);
                        for (String name : TaskOptions.splitList(v)) {
                            try {
                                out.add(AnalysisTask.valueOf(name.toUpperCase(Locale.ROOT)));
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException(
                                        k
                                                + " must list tasks of "
                                                + Arrays.toString(AnalysisTask.values())
                                                + ", was '"
                                                + name
                                                + "'");
                            }
                        }
                        return out;
                    });

    public static final GlimpseOption<Duration> MAX_AGE =
            duration("frameGate.maxAge", "5 min", "Drop frames older than this (0 = off).");

    public static final GlimpseOption<Duration> MIN_INTERVAL =
            duration(
                    "frameGate.minInterval",
                    "200 ms",
                    "At most one frame per source per interval (0 = off).");

    public static final GlimpseOption<Integer> DUPLICATE_DISTANCE =
            integer(
                    "frameGate.duplicateDistance",
                    FrameGateConfig.DEFAULTS.duplicateDistance(),
                    -1,
                    64,
                    "Skip frames within this many bits (of 64) of the last accepted frame's hash (-1 = off).");

    /**
     * The gate in {@code values}. Its settings are read (and checked) even when it is disabled, so
     * that turning the gate off does not turn its configured keys into "unknown" ones.
     */
    static FrameGateConfig read(OptionValues values) {
        boolean enabled = values.get(ENABLED);
        FrameGateConfig configured =
                new FrameGateConfig(
                        values.get(TASKS),
                        values.get(MAX_AGE),
                        values.get(MIN_INTERVAL),
                        values.get(DUPLICATE_DISTANCE),
                        FrameGateConfig.DEFAULTS.stateTtl());
        return enabled ? configured : FrameGateConfig.disabled();
    }
}
