package dev.glimpse.serving.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed {@code --name value} / {@code --name=value} options and positional arguments of one
 * command. Unknown options and missing values are usage errors.
 */
final class CliOptions {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private CliOptions() {}

    static CliOptions parse(List<String> args, Set<String> allowed) throws UsageException {
        CliOptions options = new CliOptions();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                options.positional.add(arg);
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException("option " + arg + " needs a value");
            }
            if (!allowed.contains(name)) {
                throw new UsageException("unknown option " + name);
            }
            options.values.put(name, value);
        }
        return options;
    }

    List<String> positional() {
        return positional;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Optional<String> string(String name) {
        return Optional.ofNullable(values.get(name));
    }

    int positiveInt(String name, int fallback) throws UsageException {
        String value = values.get(name);
        return value == null ? fallback : positiveInt(name, value);
    }

    /** A comma-separated list of positive integers, e.g. {@code 1,8,32}. */
    List<Integer> positiveInts(String name, List<Integer> fallback) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            out.add(positiveInt(name, part.trim()));
        }
        return out;
    }

    /** A number strictly between 0 and 1, e.g. {@code 0.3}; empty when not given. */
    Optional<Double> fraction(String name) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            double v = Double.parseDouble(value);
            if (v > 0 && v < 1) {
                return Optional.of(v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(
                name + " expects a number between 0 and 1 (exclusive), got '" + value + "'");
    }

    /** A comma-separated list of non-empty words. */
    List<String> words(String name) throws UsageException {
        List<String> out = new ArrayList<>();
        for (String part : values.getOrDefault(name, "").split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        if (has(name) && out.isEmpty()) {
            throw new UsageException(name + " expects a comma-separated list, got '' ");
        }
        return out;
    }

    private static int positiveInt(String option, String value) throws UsageException {
        try {
            int v = Integer.parseInt(value);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " expects a positive integer, got '" + value + "'");
    }
}
