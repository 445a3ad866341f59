package dev.glimpse.jobs.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.flink.util.TimeUtils;

/**
 * One configuration setting: its key, its type (the parser's result), its default as a user would
 * write it, its description and its validation. Every setting of a Glimpse job is one such constant
 * in an {@code *Options} class ({@link GlimpseOptions#ALL}); the README's configuration reference
 * is tested against these constants, so key, default and description have one source.
 *
 * <p>Immutable and thread-safe. Modelled on Flink's {@code ConfigOption}: a renamed key keeps its
 * old spelling as a deprecated alias ({@link #withDeprecatedKeys}).
 *
 * @param <T> the type of the value
 */
public final class GlimpseOption<T> {

    /** Turns a trimmed value into {@code T}, or throws with what was expected. */
    @FunctionalInterface
    public interface Parser<T> {
        /**
         * @param key the option's key, for messages
         * @param value the trimmed value (never null)
         * @throws IllegalArgumentException naming the key, the value and what was expected
         */
        T parse(String key, String value);
    }

    private final String key;
    private final String defaultValue;
    private final String description;
    private final Parser<T> parser;
    private final List<String> deprecatedKeys;

    private GlimpseOption(
            String key,
            String defaultValue,
            String description,
            Parser<T> parser,
            List<String> deprecatedKeys) {
        this.key = Objects.requireNonNull(key, "key");
        this.defaultValue = defaultValue;
        this.description = Objects.requireNonNull(description, "description");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.deprecatedKeys = List.copyOf(deprecatedKeys);
        if (defaultValue != null && !defaultValue.isEmpty()) {
            // A default that its own validation rejects is a bug in the declaration: fail when
            // the class loads, not when a user omits the key.
            parser.parse(key, defaultValue);
        }
    }

    /**
     * An option read with {@code parser}.
     *
     * @param defaultValue the value when the key is absent, as a user would write it; null: none
     *     (required, or left to another source such as the model manifest)
     */
    public static <T> GlimpseOption<T> of(
            String key, String defaultValue, String description, Parser<T> parser) {
        return new GlimpseOption<>(key, defaultValue, description, parser, List.of());
    }

    /** A string, trimmed; {@code ""} is a valid value. */
    public static GlimpseOption<String> string(
            String key, String defaultValue, String description) {
        return of(key, defaultValue, description, (k, v) -> v);
    }

    /** An integer in {@code [min, max]}. */
    public static GlimpseOption<Integer> integer(
            String key, Integer defaultValue, int min, int max, String description) {
        return of(
                key,
                defaultValue == null ? null : defaultValue.toString(),
                description,
                (k, v) ->
                        (int) inRange(k, parseWith(k, v, "an integer", Long::parseLong), min, max));
    }

    /** A long in {@code [min, max]}. */
    public static GlimpseOption<Long> longInteger(
            String key, long defaultValue, long min, long max, String description) {
        return of(
                key,
                Long.toString(defaultValue),
                description,
                (k, v) -> inRange(k, parseWith(k, v, "an integer", Long::parseLong), min, max));
    }

    /** {@code true} or {@code false}, in any case. */
    public static GlimpseOption<Boolean> bool(
            String key, boolean defaultValue, String description) {
        return of(
                key,
                Boolean.toString(defaultValue),
                description,
                (k, v) -> {
                    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                        return Boolean.parseBoolean(v);
                    }
                    throw new IllegalArgumentException(
                            k + " must be true or false, was '" + v + "'");
                });
    }

    /** A duration such as {@code 10 s}, {@code 500 ms} or {@code 5 min}. */
    public static GlimpseOption<Duration> duration(
            String key, String defaultValue, String description) {
        return of(key, defaultValue, description, GlimpseOption::parseDuration);
    }

    /** {@code value} as a duration such as {@code 10 s}; throws naming {@code key}. */
    public static Duration parseDuration(String key, String value) {
        return parseWith(
                key,
                value,
                "a duration such as '10 s', '500 ms' or '5 min'",
                TimeUtils::parseDuration);
    }

    /** A number strictly between 0 and 1. */
    public static GlimpseOption<Double> probability(
            String key, String defaultValue, String description) {
        return of(
                key,
                defaultValue,
                description,
                (k, v) -> {
                    double p = parseWith(k, v, "a number", Double::parseDouble);
                    if (!(p > 0 && p < 1)) {
                        throw new IllegalArgumentException(k + " must be in (0, 1), was " + p);
                    }
                    return p;
                });
    }

    /** This option, also read from {@code keys} (old names) when its own key is absent. */
    public GlimpseOption<T> withDeprecatedKeys(String... keys) {
        return new GlimpseOption<>(key, defaultValue, description, parser, List.of(keys));
    }

    /** The key, e.g. {@code engine.maxNumSeqs}; {@code <task>} stands for a task's name. */
    public String key() {
        return key;
    }

    /** The default as a user would write it; null when there is none. */
    public String defaultValue() {
        return defaultValue;
    }

    /** What the setting means, one sentence or two (the README's "Meaning" column). */
    public String description() {
        return description;
    }

    /** Old keys still read, with a deprecation warning, when {@link #key()} is absent. */
    public List<String> deprecatedKeys() {
        return deprecatedKeys;
    }

    /** The same option for another key (a task's instance of a {@code tasks.<task>.*} option). */
    GlimpseOption<T> forKey(String concreteKey) {
        return new GlimpseOption<>(concreteKey, defaultValue, description, parser, List.of());
    }

    /** {@code value} (trimmed) as {@code T}; throws naming the key and what was expected. */
    public T parse(String value) {
        return parser.parse(key, value.strip());
    }

    @Override
    public String toString() {
        return key;
    }

    static <V> V parseWith(String key, String value, String expected, Function<String, V> f) {
        try {
            return f.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + " must be " + expected + ", was '" + value + "'");
        }
    }

    private static long inRange(String key, long v, long min, long max) {
        if (v >= min && v <= max) {
            return v;
        }
        boolean unbounded = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
        String expected;
        if (!unbounded) {
            expected = "in [" + min + ", " + max + "]";
        } else if (v > max) {
            expected = "at most " + max;
        } else {
            expected = min == 1 ? "> 0" : ">= " + min;
        }
        throw new IllegalArgumentException(key + " must be " + expected + ", was " + v);
    }
}
