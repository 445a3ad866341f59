package dev.glimpse.jobs.config;

import dev.glimpse.jobs.kafka.security.ClientSecrets;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.analyze.EngineSettings;
import dev.glimpse.operators.gate.FrameGateConfig;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.image.DecodeLimits;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.flink.util.TimeUtils;

/**
 * Every setting of a Glimpse job, typed and validated once: errors name the key and what was
 * expected. Built from a {@link ConfigSource} (YAML file + flags); {@link #KEYS} lists every key
 * with its default (the README's configuration reference is generated from the same list).
 *
 * @param kafka brokers, topics and client properties
 * @param modelDir the model directory (on every TaskManager)
 * @param tasks per-task slicing bound, default question, moderation categories and threshold
 * @param engine the shared engine per TaskManager
 * @param frameGate the per-camera gate (disabled: {@link FrameGateConfig#disabled()})
 * @param limits decode limits
 * @param pipeline parallelism, checkpoints and the async operator's bounds
 */
public record GlimpseJobConfig(
        Kafka kafka,
        String modelDir,
        Map<AnalysisTask, TaskSettings> tasks,
        EngineSettings engine,
        FrameGateConfig frameGate,
        DecodeLimits limits,
        Pipeline pipeline)
        implements Serializable {

    /**
     * Kafka settings.
     *
     * @param properties passed verbatim to every consumer, producer and admin client (security...)
     * @param maxInlineBytes largest inline image accepted; larger ones must travel by URI
     * @param maxDeadLetterBytes undecodable records up to this size are copied into their dead
     *     letter
     */
    public record Kafka(
            String bootstrapServers,
            String imagesTopic,
            String resultsTopic,
            String deadLetterTopic,
            String groupId,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            Map<String, String> properties,
            long maxInlineBytes,
            int maxDeadLetterBytes)
            implements Serializable {

        /** Client properties: bootstrap servers plus {@code kafka.properties.*}. */
        public Properties clientProperties() {
            Properties p = new Properties();
            p.putAll(properties);
            p.put("bootstrap.servers", bootstrapServers);
            return p;
        }

        /** The settings with secret client properties (passwords, JAAS lines, keys) hidden. */
        @Override
        public String toString() {
            return "Kafka[bootstrapServers=%s, topics=%s/%s/%s, groupId=%s, transactionalIdPrefix=%s, properties=%s]"
                    .formatted(
                            bootstrapServers,
                            imagesTopic,
                            resultsTopic,
                            deadLetterTopic,
                            groupId,
                            transactionalIdPrefix,
                            ClientSecrets.redact(properties));
        }
    }

    /**
     * Job-level settings.
     *
     * @param asyncCapacity in-flight requests per Analyze subtask
     * @param asyncTimeout the async operator's timeout (must exceed requestTimeout)
     * @param requestTimeout engine-side deadline per request
     */
    public record Pipeline(
            int parallelism,
            Duration checkpointInterval,
            int asyncCapacity,
            Duration asyncTimeout,
            Duration requestTimeout,
            String checkpointDir)
            implements Serializable {}

    /** A key, its default ("" = required or empty) and what it means. */
    public record Key(String name, String defaultValue, String description) {}

    /** Every key the job reads, in the order of the configuration reference. */
    public static final List<Key> KEYS =
            List.of(
                    new Key("kafka.bootstrapServers", "", "Kafka bootstrap servers (required)."),
                    new Key(
                            "kafka.topics.images",
                            "glimpse.images",
                            "Topic of ImageEvent records."),
                    new Key(
                            "kafka.topics.results",
                            "glimpse.results",
                            "Topic of AnalysisResult records (exactly once)."),
                    new Key(
                            "kafka.topics.dlq",
                            "glimpse.dlq",
                            "Topic of DeadLetter records (exactly once)."),
                    new Key("kafka.groupId", "glimpse", "Consumer group of the source."),
                    new Key(
                            "kafka.transactionalIdPrefix",
                            "glimpse",
                            "Prefix of the sinks' transactional ids; unique per job."),
                    new Key(
                            "kafka.transactionTimeout",
                            "15 min",
                            "Sink transaction timeout; at most the broker's transaction.max.timeout.ms."),
                    new Key(
                            "kafka.properties.*",
                            "",
                            "Passed verbatim to every Kafka client (security.protocol, sasl.*, ssl.*)."),
                    new Key(
                            "kafka.maxInlineBytes",
                            "8388608",
                            "Largest inline image; larger ones must travel by URI (PAYLOAD_TOO_LARGE)."),
                    new Key(
                            "kafka.maxDeadLetterBytes",
                            "1048576",
                            "Undecodable records up to this size are copied into their dead letter."),
                    new Key(
                            "model.dir",
                            "",
                            "Model directory on every TaskManager (required; the demo passes the bundled model)."),
                    new Key(
                            "tasks.<task>.maxSlices",
                            "manifest",
                            "MiniCPM-V slice bound per task (caption, ocr, moderation), 1..9."),
                    new Key(
                            "tasks.<task>.prompt",
                            "",
                            "Default question after the image (caption, ocr); empty = the model's instruction alone."),
                    new Key(
                            "tasks.moderation.categories",
                            "manifest",
                            "Comma-separated categories scored when an event names none."),
                    new Key(
                            "tasks.moderation.threshold",
                            "manifest",
                            "P(yes) at or above which a category is flagged."),
                    new Key(
                            "engine.executionProvider",
                            "CPU",
                            "CPU or CUDA (CUDA falls back to CPU with a WARN when unavailable)."),
                    new Key(
                            "engine.batching.maxNumSeqs",
                            "16",
                            "Sequences decoded together per step."),
                    new Key(
                            "engine.batching.maxNumBatchedTokens",
                            "1024",
                            "Tokens (prefill chunks + decode rows) per step."),
                    new Key(
                            "engine.batching.maxWaitingRequests",
                            "256",
                            "Requests queued in the engine before it reports overload."),
                    new Key(
                            "engine.batching.maxEncoderBatchSize",
                            "8",
                            "Images encoded together per vision graph run."),
                    new Key("engine.kvBlocks", "2048", "KV blocks of 16 tokens in the pool."),
                    new Key(
                            "engine.prefixCaching",
                            "true",
                            "Reuse the KV of shared prompt prefixes."),
                    new Key(
                            "engine.encoderCacheBytes",
                            "67108864",
                            "Bytes of vision outputs cached by image hash (0 = off)."),
                    new Key(
                            "engine.intraOpThreads",
                            "2",
                            "ONNX Runtime threads per graph run (without spin-waiting)."),
                    new Key(
                            "engine.decoderStyle",
                            "auto",
                            "Decoder graph: auto (the model's default; its concat graph on CUDA), gqa or concat."),
                    new Key(
                            "engine.requestTimeout",
                            "60 s",
                            "Engine-side deadline per request (TIMEOUT dead letter)."),
                    new Key(
                            "engine.metrics.port",
                            "-1",
                            "Engine Prometheus endpoint port per TaskManager (-1 = off, 0 = any)."),
                    new Key(
                            "engine.metrics.host",
                            "127.0.0.1",
                            "Address the engine endpoint binds (0.0.0.0 in a pod)."),
                    new Key("frameGate.enabled", "true", "Gate camera frames (per source id)."),
                    new Key("frameGate.tasks", "CAPTION", "Tasks whose events are gated."),
                    new Key("frameGate.maxAge", "5 min", "Drop frames older than this (0 = off)."),
                    new Key(
                            "frameGate.minInterval",
                            "200 ms",
                            "At most one frame per source per interval (0 = off)."),
                    new Key(
                            "frameGate.duplicateDistance",
                            "6",
                            "Skip frames within this many bits (of 64) of the last accepted frame's hash (-1 = off)."),
                    new Key(
                            "limits.maxEncodedBytes",
                            "20971520",
                            "Largest encoded image (inline or fetched)."),
                    new Key("limits.maxWidth", "32768", "Widest image accepted."),
                    new Key("limits.maxHeight", "32768", "Tallest image accepted."),
                    new Key(
                            "limits.maxPixels",
                            "40000000",
                            "Most pixels accepted (decompression bombs)."),
                    new Key("limits.minWidth", "1", "Narrowest image accepted."),
                    new Key("limits.minHeight", "1", "Shortest image accepted."),
                    new Key("pipeline.parallelism", "1", "Job parallelism."),
                    new Key(
                            "pipeline.checkpointInterval",
                            "10 s",
                            "Checkpoint interval; results commit at each checkpoint."),
                    new Key(
                            "pipeline.checkpointDir",
                            "",
                            "Checkpoint storage URI (file://, s3://); empty = the cluster's execution.checkpointing.dir, else the JobManager's memory (5 MB of state at most: too little for images in flight)."),
                    new Key(
                            "pipeline.asyncCapacity",
                            "32",
                            "In-flight requests per Analyze subtask."),
                    new Key(
                            "pipeline.asyncTimeout",
                            "120 s",
                            "Async operator timeout (TIMEOUT dead letter)."));

    private static final Set<String> TASK_KEYS =
            Set.of("maxSlices", "prompt", "categories", "threshold");

    /** The typed configuration of {@code source}; every key is checked. */
    public static GlimpseJobConfig from(ConfigSource source) {
        Reader r = new Reader(source.values());
        Kafka kafka =
                new Kafka(
                        r.required("kafka.bootstrapServers"),
                        r.string("kafka.topics.images"),
                        r.string("kafka.topics.results"),
                        r.string("kafka.topics.dlq"),
                        r.string("kafka.groupId"),
                        r.string("kafka.transactionalIdPrefix"),
                        r.duration("kafka.transactionTimeout"),
                        source.withPrefix("kafka.properties"),
                        r.positiveLong("kafka.maxInlineBytes"),
                        r.positiveInt("kafka.maxDeadLetterBytes"));
        String modelDir = r.required("model.dir");
        Map<AnalysisTask, TaskSettings> tasks = new EnumMap<>(AnalysisTask.class);
        for (AnalysisTask task : AnalysisTask.values()) {
            String prefix = "tasks." + task.name().toLowerCase(Locale.ROOT) + ".";
            Map<String, String> t = source.withPrefix(prefix.substring(0, prefix.length() - 1));
            if (t.isEmpty()) {
                continue;
            }
            for (String k : t.keySet()) {
                r.consumed.add(prefix + k);
                if (!TASK_KEYS.contains(k)) {
                    throw new IllegalArgumentException(
                            "Unknown key "
                                    + prefix
                                    + k
                                    + "; expected one of "
                                    + new TreeSet<>(TASK_KEYS));
                }
            }
            Integer maxSlices =
                    t.containsKey("maxSlices") ? r.intIn(prefix + "maxSlices", 1, 9) : null;
            List<String> categories =
                    t.containsKey("categories") ? splitList(t.get("categories")) : List.of();
            Double threshold =
                    t.containsKey("threshold") ? r.probability(prefix + "threshold") : null;
            tasks.put(
                    task,
                    new TaskSettings(
                            maxSlices, t.getOrDefault("prompt", ""), categories, threshold));
        }
        String provider = r.string("engine.executionProvider").toUpperCase(Locale.ROOT);
        if (!provider.equals("CPU") && !provider.equals("CUDA")) {
            throw new IllegalArgumentException(
                    "engine.executionProvider must be CPU or CUDA, was '"
                            + r.raw("engine.executionProvider")
                            + "'");
        }
        EngineSettings engine =
                new EngineSettings(
                        modelDir,
                        r.intIn("engine.batching.maxNumSeqs", 1, 4096),
                        r.intIn("engine.batching.maxNumBatchedTokens", 1, 1 << 20),
                        r.intIn("engine.batching.maxWaitingRequests", 1, 1 << 20),
                        r.intIn("engine.batching.maxEncoderBatchSize", 1, 1024),
                        r.intIn("engine.kvBlocks", 1, 1 << 24),
                        r.bool("engine.prefixCaching"),
                        r.nonNegativeLong("engine.encoderCacheBytes"),
                        provider.equals("CUDA"),
                        r.intIn("engine.intraOpThreads", 1, 256),
                        r.intIn("engine.metrics.port", -1, 65535),
                        r.string("engine.metrics.host"),
                        decoderStyle(r.string("engine.decoderStyle")));
        // The gate's settings are read (and checked) even when it is disabled, so that turning
        // the gate off does not turn its configured keys into "unknown" ones.
        boolean gateEnabled = r.bool("frameGate.enabled");
        FrameGateConfig configuredGate =
                new FrameGateConfig(
                        r.tasks("frameGate.tasks"),
                        r.duration("frameGate.maxAge"),
                        r.duration("frameGate.minInterval"),
                        r.intIn("frameGate.duplicateDistance", -1, 64),
                        Duration.ofHours(1));
        FrameGateConfig gate = gateEnabled ? configuredGate : FrameGateConfig.disabled();
        DecodeLimits limits =
                new DecodeLimits(
                        r.positiveLong("limits.maxEncodedBytes"),
                        r.intIn("limits.maxWidth", 1, Integer.MAX_VALUE),
                        r.intIn("limits.maxHeight", 1, Integer.MAX_VALUE),
                        r.positiveLong("limits.maxPixels"),
                        r.intIn("limits.minWidth", 1, Integer.MAX_VALUE),
                        r.intIn("limits.minHeight", 1, Integer.MAX_VALUE));
        Pipeline pipeline =
                new Pipeline(
                        r.intIn("pipeline.parallelism", 1, 32768),
                        r.duration("pipeline.checkpointInterval"),
                        r.intIn("pipeline.asyncCapacity", 1, 1 << 16),
                        r.duration("pipeline.asyncTimeout"),
                        r.duration("engine.requestTimeout"),
                        r.string("pipeline.checkpointDir"));
        if (pipeline.asyncTimeout().compareTo(pipeline.requestTimeout()) <= 0) {
            throw new IllegalArgumentException(
                    "pipeline.asyncTimeout ("
                            + pipeline.asyncTimeout()
                            + ") must exceed engine.requestTimeout ("
                            + pipeline.requestTimeout()
                            + ") so that the engine gives up on a request first");
        }
        r.rejectUnknown(source.values().keySet());
        return new GlimpseJobConfig(kafka, modelDir, tasks, engine, gate, limits, pipeline);
    }

    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** Reads typed values with defaults from {@link #KEYS}, remembering which keys it consumed. */
    private static final class Reader {
        private final Map<String, String> values;
        private final Map<String, String> defaults = new java.util.HashMap<>();
        private final Set<String> consumed = new HashSet<>();

        Reader(Map<String, String> values) {
            this.values = values;
            for (Key k : KEYS) {
                defaults.put(k.name(), k.defaultValue());
            }
        }

        String raw(String key) {
            consumed.add(key);
            String v = values.get(key);
            return v != null ? v.strip() : defaults.getOrDefault(key, "");
        }

        String string(String key) {
            return raw(key);
        }

        String required(String key) {
            String v = raw(key);
            if (v.isEmpty()) {
                throw new IllegalArgumentException(key + " is required");
            }
            return v;
        }

        private <T> T parse(String key, String expected, Function<String, T> parser) {
            String v = raw(key);
            try {
                return parser.apply(v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        key + " must be " + expected + ", was '" + v + "'");
            }
        }

        int intIn(String key, int min, int max) {
            int v = parse(key, "an integer", Integer::parseInt);
            if (v < min || v > max) {
                throw new IllegalArgumentException(
                        key + " must be in [" + min + ", " + max + "], was " + v);
            }
            return v;
        }

        long positiveLong(String key) {
            long v = parse(key, "an integer", Long::parseLong);
            if (v < 1) {
                throw new IllegalArgumentException(key + " must be > 0, was " + v);
            }
            return v;
        }

        /** A positive value that fits an int (a byte-array size). */
        int positiveInt(String key) {
            long v = positiveLong(key);
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        key + " must be at most " + Integer.MAX_VALUE + ", was " + v);
            }
            return (int) v;
        }

        long nonNegativeLong(String key) {
            long v = parse(key, "an integer", Long::parseLong);
            if (v < 0) {
                throw new IllegalArgumentException(key + " must be >= 0, was " + v);
            }
            return v;
        }

        double probability(String key) {
            double v = parse(key, "a number", Double::parseDouble);
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException(key + " must be in (0, 1), was " + v);
            }
            return v;
        }

        boolean bool(String key) {
            return parse(
                    key,
                    "true or false",
                    s -> {
                        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                            return Boolean.parseBoolean(s);
                        }
                        throw new IllegalArgumentException(s);
                    });
        }

        Duration duration(String key) {
            return parse(
                    key,
                    "a duration such as '10 s', '500 ms' or '5 min'",
                    TimeUtils::parseDuration);
        }

        Set<AnalysisTask> tasks(String key) {
            Set<AnalysisTask> out = EnumSet.noneOf(AnalysisTask.class);
            for (String name : splitList(raw(key))) {
                try {
                    out.add(AnalysisTask.valueOf(name.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            key
                                    + " must list tasks of "
                                    + Arrays.toString(AnalysisTask.values())
                                    + ", was '"
                                    + name
                                    + "'");
                }
            }
            return out;
        }

        void rejectUnknown(Set<String> given) {
            for (String key : new TreeSet<>(given)) {
                if (!consumed.contains(key) && !key.startsWith("kafka.properties.")) {
                    throw new IllegalArgumentException(
                            "Unknown configuration key '"
                                    + key
                                    + "' (see the configuration reference in README.md)");
                }
            }
        }
    }

    /** "auto" (null: the model decides), "gqa" or "concat". */
    private static KvStyle decoderStyle(String value) {
        if (value.equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return KvStyle.ofManifest(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "engine.decoderStyle must be auto, gqa or concat, was '" + value + "'");
        }
    }
}
