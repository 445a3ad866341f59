package dev.glimpse.jobs.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** {@code --flag value} pairs and positional arguments of a tool; errors name the flag. */
final class ToolArgs {

    /** Kafka client properties file, as for Kafka's own command-line tools. */
    static final String COMMAND_CONFIG = "--command-config";

    /** How the tools' usage lines describe {@link #COMMAND_CONFIG}. */
    static final String COMMAND_CONFIG_USAGE =
            "[--command-config CLIENT_PROPERTIES_FILE (security.protocol, sasl.*, ssl.*)]";

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

    /**
     * Kafka client properties: those of the {@code --command-config} file, if given, with {@code
     * bootstrap.servers} from {@code --bootstrap-servers}. Errors name the file, never its content
     * (it holds credentials).
     */
    Properties clientProperties() {
        Properties props = new Properties();
        String file = flags.get(COMMAND_CONFIG);
        if (file != null) {
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException(
                        COMMAND_CONFIG + " " + path.toAbsolutePath() + " is not a file");
            }
            try (InputStream in = Files.newInputStream(path)) {
                props.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        COMMAND_CONFIG
                                + " "
                                + path.toAbsolutePath()
                                + " is not a readable properties file: "
                                + e.getClass().getSimpleName());
            }
        }
        props.put("bootstrap.servers", required("--bootstrap-servers"));
        return props;
    }

    List<String> positional() {
        return positional;
    }

    String usage() {
        return usage;
    }
}
