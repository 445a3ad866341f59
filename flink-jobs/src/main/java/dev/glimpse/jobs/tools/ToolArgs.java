package dev.glimpse.jobs.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --flag value} pairs and positional arguments of a tool; errors name the flag. */
final class ToolArgs {

    private final Map<String, String> flags = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final String usage;

    private ToolArgs(String usage) {
        this.usage = usage;
    }

    /** Parses {@code args}, accepting only {@code known} flags (each followed by a value). */
    static ToolArgs parse(String[] args, Set<String> known, String usage) {
        ToolArgs parsed = new ToolArgs(usage);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                if (!known.contains(a)) {
                    throw new IllegalArgumentException("Unknown flag " + a + "\n" + usage);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value\n" + usage);
                }
                parsed.flags.put(a, args[++i]);
            } else {
                parsed.positional.add(a);
            }
        }
        return parsed;
    }

    String required(String flag) {
        String v = flags.get(flag);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(flag + " is required\n" + usage);
        }
        return v;
    }

    String optional(String flag, String defaultValue) {
        return flags.getOrDefault(flag, defaultValue);
    }

    long positiveLong(String flag, long defaultValue) {
        String v = flags.get(flag);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a positive integer, was '" + v + "'");
    }

    List<String> positional() {
        return positional;
    }

    String usage() {
        return usage;
    }
}
