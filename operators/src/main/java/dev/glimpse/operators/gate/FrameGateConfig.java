package dev.glimpse.operators.gate;

import dev.glimpse.schemas.AnalysisTask;
import java.io.Serializable;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of the {@link FrameGate}, validated on construction.
 *
 * @param gatedTasks tasks whose events are gated (default: CAPTION only; OCR and moderation must
 *     see every image)
 * @param maxAge frames older than this (processing time minus event time) are dropped; zero
 *     disables the check
 * @param minInterval at most one frame per source per interval (event time); zero disables the cap
 * @param duplicateDistance frames whose difference hash is within this many bits (of 64) of the
 *     last accepted frame of the same source are near-duplicates and skipped; negative disables the
 *     check
 * @param stateTtl per-source state is dropped after this long without an accepted frame
 */
public record FrameGateConfig(
        Set<AnalysisTask> gatedTasks,
        Duration maxAge,
        Duration minInterval,
        int duplicateDistance,
        Duration stateTtl)
        implements Serializable {

    /**
     * Caption frames: 5 min max age, at most 5 frames/s, near-duplicates within 6 bits, 1 h TTL.
     */
    public static final FrameGateConfig DEFAULTS =
            new FrameGateConfig(
                    EnumSet.of(AnalysisTask.CAPTION),
                    Duration.ofMinutes(5),
                    Duration.ofMillis(200),
                    6,
                    Duration.ofHours(1));

    public FrameGateConfig {
        gatedTasks = gatedTasks.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(gatedTasks));
        requireNonNegative("maxAge", maxAge);
        requireNonNegative("minInterval", minInterval);
        requireNonNegative("stateTtl", stateTtl);
        if (stateTtl.isZero()) {
            throw new IllegalArgumentException("stateTtl must be > 0, was " + stateTtl);
        }
        if (duplicateDistance > 64) {
            throw new IllegalArgumentException(
                    "duplicateDistance must be <= 64 bits (negative disables), was "
                            + duplicateDistance);
        }
    }

    /** A gate that lets everything through. */
    public static FrameGateConfig disabled() {
        return new FrameGateConfig(Set.of(), Duration.ZERO, Duration.ZERO, -1, Duration.ofHours(1));
    }

    private static void requireNonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a non-negative duration, was " + d);
        }
    }
}
