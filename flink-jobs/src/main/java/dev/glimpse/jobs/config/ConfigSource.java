package dev.glimpse.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw settings of a job run as flat dotted keys ({@code kafka.topics.images}): the YAML file
 * named by {@code --config}, then command-line flags on top (flags win). {@link GlimpseJobConfig}
 * turns them into typed, validated options.
 *
 * <p>Flags: {@code --config FILE}, {@code --set key=value} (any key), and the shortcuts in {@link
 * #FLAGS} ({@code --bootstrap-servers}, {@code --images-topic}, ...). Lists in YAML become
 * comma-separated values.
 */
public final class ConfigSource {

    /** Command-line shortcuts and the keys they set. */
    public static final Map<String, String> FLAGS =
            Map.ofEntries(
                    Map.entry("--bootstrap-servers", "kafka.bootstrapServers"),
                    Map.entry("--security-protocol", "kafka.properties.security.protocol"),
                    Map.entry("--sasl-mechanism", "kafka.properties.sasl.mechanism"),
                    Map.entry("--images-topic", "kafka.topics.images"),
                    Map.entry("--results-topic", "kafka.topics.results"),
                    Map.entry("--dlq-topic", "kafka.topics.dlq"),
                    Map.entry("--group-id", "kafka.groupId"),
                    Map.entry("--model-dir", "model.dir"),
                    Map.entry("--checkpoint-interval", "pipeline.checkpointInterval"),
                    Map.entry("--parallelism", "pipeline.parallelism"),
                    Map.entry("--execution-provider", "engine.executionProvider"));

    private final Map<String, String> values;

    private ConfigSource(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Settings given as key-value pairs (tests, the demo). */
    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values);
    }

    /** Parses {@code args}: {@code --config} first, then every other flag on top. */
    public static ConfigSource fromArgs(String[] args) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Flag " + flag + " needs a value");
            }
            String value = args[++i];
            if (flag.equals("--config")) {
                values.putAll(readYaml(Path.of(value)));
            } else if (flag.equals("--set")) {
                int eq = value.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            "--set expects key=value, got '" + value + "'");
                }
                overrides.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
            } else if (FLAGS.containsKey(flag)) {
                overrides.put(FLAGS.get(flag), value);
            } else {
                throw new IllegalArgumentException(
                        "Unknown flag "
                                + flag
                                + "; expected --config, --set or one of "
                                + FLAGS.keySet());
            }
        }
        values.putAll(overrides);
        return new ConfigSource(values);
    }

    /** The YAML file flattened to dotted keys. */
    public static Map<String, String> readYaml(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        Map<String, String> flat = new LinkedHashMap<>();
        // An empty file (or one of comments only) reads as a missing node: no settings.
        if (root != null && !root.isNull() && !root.isMissingNode()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException(
                        file + ": expected a YAML mapping at the top level");
            }
            flatten("", root, flat);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                flatten(
                        prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(),
                        f.getValue(),
                        out);
            }
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(item -> items.add(item.asText()));
            out.put(prefix, String.join(",", items));
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }

    /** All keys and values. */
    public Map<String, String> values() {
        return values;
    }

    /** Entries under {@code prefix + "."}, with the prefix removed. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        String p = prefix + ".";
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(p)) {
                        out.put(k.substring(p.length()), v);
                    }
                });
        return out;
    }
}
