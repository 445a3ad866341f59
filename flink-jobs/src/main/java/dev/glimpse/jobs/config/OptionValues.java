package dev.glimpse.jobs.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw settings of one job run read through {@link GlimpseOption}s: typed values, defaults,
 * deprecated keys (read with a WARN and remembered in {@link #deprecatedKeysUsed()}) and, at the
 * end, every key nobody read rejected by name. Single-threaded: one instance per {@link
 * GlimpseJobConfig#from} call.
 */
public final class OptionValues {

    private static final Logger LOG = LoggerFactory.getLogger(OptionValues.class);

    private final Map<String, String> values;
    private final Set<String> consumed = new HashSet<>();
    private final Map<String, String> deprecatedKeysUsed = new LinkedHashMap<>();

    public OptionValues(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The value of {@code option}, or its default; throws if it has neither. */
    public <T> T get(GlimpseOption<T> option) {
        return getOptional(option)
                .orElseThrow(() -> new IllegalArgumentException(option.key() + " is required"));
    }

    /**
     * The value of {@code option}, or its default; empty when it has neither or when the value is
     * blank and the option has no default (a required string given as {@code " "}).
     */
    public <T> Optional<T> getOptional(GlimpseOption<T> option) {
        String raw = raw(option);
        if (raw == null || (raw.isBlank() && option.defaultValue() == null)) {
            return Optional.empty();
        }
        return Optional.of(option.parse(raw));
    }

    /** Whether the key of {@code option} (or one of its deprecated keys) is set. */
    public boolean isSet(GlimpseOption<?> option) {
        if (values.containsKey(option.key())) {
            return true;
        }
        return option.deprecatedKeys().stream().anyMatch(values::containsKey);
    }

    /** The given value, else the default (null when there is none); marks the keys read. */
    private String raw(GlimpseOption<?> option) {
        consumed.add(option.key());
        String value = values.get(option.key());
        for (String old : option.deprecatedKeys()) {
            consumed.add(old);
            String oldValue = values.get(old);
            if (oldValue == null) {
                continue;
            }
            if (value != null && !value.strip().equals(oldValue.strip())) {
                throw new IllegalArgumentException(
                        option.key()
                                + " ("
                                + value.strip()
                                + ") and its deprecated name "
                                + old
                                + " ("
                                + oldValue.strip()
                                + ") are both set; keep "
                                + option.key()
                                + " only");
            }
            if (value == null) {
                value = oldValue;
            }
            if (deprecatedKeysUsed.put(old, option.key()) == null) {
                LOG.warn(
                        "Configuration key '{}' is deprecated; use '{}' (README, configuration reference)",
                        old,
                        option.key());
            }
        }
        return value != null ? value : option.defaultValue();
    }

    /** Entries under {@code prefix + "."} with the prefix removed, marked read. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        String p = prefix + ".";
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(p)) {
                        consumed.add(k);
                        out.put(k.substring(p.length()), v);
                    }
                });
        return out;
    }

    /** Keys given under {@code prefix + "."} (not marked read). */
    public Set<String> keysUnder(String prefix) {
        Set<String> out = new TreeSet<>();
        for (String k : values.keySet()) {
            if (k.startsWith(prefix + ".")) {
                out.add(k);
            }
        }
        return out;
    }

    /** Deprecated keys that were read, each with the key that replaces it. */
    public Map<String, String> deprecatedKeysUsed() {
        return Map.copyOf(deprecatedKeysUsed);
    }

    /** Throws naming the first key (in sorted order) that no option read. */
    public void rejectUnknown() {
        List<String> unknown = new ArrayList<>(new TreeSet<>(values.keySet()));
        unknown.removeAll(consumed);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "Unknown configuration key '"
                            + unknown.get(0)
                            + "' (see the configuration reference in README.md)");
        }
    }
}
