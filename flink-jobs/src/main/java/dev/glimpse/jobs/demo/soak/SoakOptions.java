package dev.glimpse.jobs.demo.soak;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the demo records its soak time series ({@code --metrics-out DIR}).
 *
 * @param dir where {@code soak.csv}, the PNG charts and {@code summary.md} go (created if absent)
 * @param interval time between samples ({@code --metrics-interval SECONDS}, default 10 s)
 * @param warmup the start of the run the summary leaves out ({@code --metrics-warmup SECONDS},
 *     default 5 min); the charts show all of it with a marker at its end
 */
public record SoakOptions(Path dir, Duration interval, Duration warmup) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WARMUP = Duration.ofMinutes(5);

    public SoakOptions {
        if (dir == null) {
            throw new IllegalArgumentException("--metrics-out needs a directory");
        }
        if (interval == null || interval.toMillis() < 1000) {
            throw new IllegalArgumentException(
                    "--metrics-interval must be >= 1 second, was " + seconds(interval));
        }
        if (warmup == null || warmup.isNegative()) {
            throw new IllegalArgumentException(
                    "--metrics-warmup must be >= 0 seconds, was " + seconds(warmup));
        }
    }

    /**
     * The options of the demo's flags: null when {@code dir} is (no {@code --metrics-out}), the
     * defaults for an unset interval or warm-up.
     *
     * @throws IllegalArgumentException for an interval or warm-up without a directory
     */
    public static SoakOptions fromFlags(Path dir, Duration interval, Duration warmup) {
        if (dir == null) {
            if (interval != null || warmup != null) {
                throw new IllegalArgumentException(
                        (interval != null ? "--metrics-interval" : "--metrics-warmup")
                                + " needs --metrics-out DIR");
            }
            return null;
        }
        return new SoakOptions(
                dir,
                interval == null ? DEFAULT_INTERVAL : interval,
                warmup == null ? DEFAULT_WARMUP : warmup);
    }

    private static String seconds(Duration d) {
        return d == null ? "(none)" : d.toMillis() / 1000.0 + " s";
    }

    /** The time series file in {@link #dir}. */
    public Path csv() {
        return dir.resolve("soak.csv");
    }

    /** The summary file in {@link #dir}. */
    public Path summary() {
        return dir.resolve("summary.md");
    }
}
