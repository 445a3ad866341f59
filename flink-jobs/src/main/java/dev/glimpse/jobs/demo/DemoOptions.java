package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.demo.soak.SoakOptions;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.serving.model.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The demo's flags, validated on construction (messages name the flag).
 *
 * @param duration how long to stream once the job runs; {@link Duration#ZERO} = until Ctrl-C
 * @param rate images per second produced in all (cameras, text pages and moderation images)
 * @param webPort the Flink web UI port; 0 = any free port (a taken port falls back to a free one)
 * @param modelDir the model directory (the bundled glimpse-tiny by default)
 * @param processes run on a local multi-process cluster ({@code --cluster processes}) instead of
 *     the in-JVM one ({@code --cluster in-jvm}, the default)
 * @param taskManagers TaskManager processes of the process cluster
 * @param killTaskManagerEvery kill -9 a random TaskManager this often (process cluster only);
 *     {@link Duration#ZERO} = never
 * @param secure run Kafka over SASL_SSL with SCRAM users and least-privilege ACLs ({@code
 *     --secure}, docs/kafka-security.md; the in-JVM cluster only)
 * @param load burst, task mix, cameras, page size, caption deadline and drain bound ({@link
 *     LoadOptions})
 * @param metrics record the soak time series and charts ({@code --metrics-out DIR}); null = off
 */
public record DemoOptions(
        Duration duration,
        double rate,
        int webPort,
        Path modelDir,
        boolean processes,
        int taskManagers,
        Duration killTaskManagerEvery,
        boolean secure,
        LoadOptions load,
        SoakOptions metrics) {

    /** Enough to overload the engine on two cores many times over (README, "Overload"). */
    public static final double MAX_RATE = 2000;

    public static final int DEFAULT_WEB_PORT = 8081;
    public static final double DEFAULT_RATE = 3;
    public static final int DEFAULT_TASK_MANAGERS = 2;

    static final String USAGE =
            "Usage: GlimpseDemo [--duration SECONDS] [--rate IMAGES_PER_SECOND] [--web-port PORT]"
                    + " [--model-dir DIR] [--cluster in-jvm|processes] [--taskmanagers N]"
                    + " [--kill-taskmanager-every SECONDS] [--secure] [--burst N]"
                    + " [--mix caption=W,ocr=W,moderation=W] [--cameras N] [--pages normal|large]"
                    + " [--caption-deadline SECONDS] [--drain-timeout SECONDS] [--ramp SECONDS] [--set KEY=VALUE]...\n"
                    + "  --duration   stop after this many seconds of streaming (default: run until"
                    + " Ctrl-C)\n"
                    + "  --rate       images per second produced, all sources together (default 3,"
                    + " at most 2000)\n"
                    + "  --web-port   Flink web UI port (default 8081; a taken port falls back to a"
                    + " free one; 0 = any)\n"
                    + "  --model-dir  model directory (default: the bundled"
                    + " model-serving/models/glimpse-tiny)\n"
                    + "  --cluster    in-jvm (default) or processes: a JobManager, TaskManagers and"
                    + " the broker as separate JVMs, the job jar submitted over REST\n"
                    + "  --taskmanagers            TaskManager processes, one slot each; the job runs"
                    + " at this parallelism (default 2; processes only)\n"
                    + "  --kill-taskmanager-every  kill -9 a random TaskManager every SECONDS and"
                    + " start a fresh one (processes only; default never)\n"
                    + "  --secure     Kafka over SASL_SSL: SCRAM-SHA-512 users, a CA generated at"
                    + " start, ACLs enforced (in-jvm only)\n"
                    + "  --burst      send N events at once when streaming starts, on top of --rate,"
                    + " in the --mix (default 0)\n"
                    + "  --mix        task shares of the stream and the burst (default"
                    + " caption=0.75,ocr=0.125,moderation=0.125)\n"
                    + "  --cameras    camera sources the caption frames rotate over (default 3; the"
                    + " frame gate passes at most 5 frames/s per camera)\n"
                    + "  --pages      normal (default: words, lines, short pages) or large (full-page"
                    + " scans: many slices and lines per OCR event)\n"
                    + "  --caption-deadline  the job's tasks.caption.deadline: older captions are"
                    + " skipped (default: the job's, 60 s; 0 = never)\n"
                    + "  --drain-timeout     wait at most this long at the end for every sent event"
                    + " to come back (default 240)\n"
                    + "  --ramp       raise the rate linearly from 0 to --rate over SECONDS (the job"
                    + " warms up first; default 0)\n"
                    + "  --set        a job configuration key (README, Configuration reference), e.g."
                    + " --set pipeline.asyncCapacity=512; repeatable\n"
                    + "  --metrics-out DIR         sample throughput, latency, memory and"
                    + " checkpoints into DIR/soak.csv; at the end PNG charts and summary.md"
                    + " (docs/benchmarks.md, Soak run)\n"
                    + "  --metrics-interval SECONDS  between samples (default 10)\n"
                    + "  --metrics-warmup SECONDS    left out of summary.md (default 300)";

    public DemoOptions {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException(
                    "--duration must be >= 0 seconds (0 = until Ctrl-C), was " + duration);
        }
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new IllegalArgumentException(
                    "--rate must be in (0, " + (int) MAX_RATE + "] images/s, was " + rate);
        }
        if (webPort < 0 || webPort > 65535) {
            throw new IllegalArgumentException(
                    "--web-port must be 0..65535 (0 = any free port), was " + webPort);
        }
        if (modelDir == null || !ModelDirectory.isComplete(modelDir)) {
            throw new IllegalArgumentException(
                    "--model-dir "
                            + (modelDir == null ? "(none)" : modelDir.toAbsolutePath())
                            + " is not a model directory (model.json, tokenizer.json and the three"
                            + " .onnx graphs)");
        }
        modelDir = modelDir.toAbsolutePath().normalize();
        if (taskManagers < 1 || taskManagers > 8) {
            throw new IllegalArgumentException("--taskmanagers must be 1..8, was " + taskManagers);
        }
        if (killTaskManagerEvery == null || killTaskManagerEvery.isNegative()) {
            throw new IllegalArgumentException(
                    "--kill-taskmanager-every must be >= 0 seconds, was " + killTaskManagerEvery);
        }
        if (!processes && !killTaskManagerEvery.isZero()) {
            throw new IllegalArgumentException(
                    "--kill-taskmanager-every needs --cluster processes (the in-JVM cluster has no"
                            + " TaskManager process to kill)");
        }
        if (load == null) {
            load = LoadOptions.defaults();
        }
        if (secure && processes) {
            throw new IllegalArgumentException(
                    "--secure runs with --cluster in-jvm only (the process cluster's broker runs"
                            + " PLAINTEXT)");
        }
    }

    /** The in-JVM cluster with these streaming settings. */
    public DemoOptions(Duration duration, double rate, int webPort, Path modelDir) {
        this(
                duration,
                rate,
                webPort,
                modelDir,
                false,
                DEFAULT_TASK_MANAGERS,
                Duration.ZERO,
                false,
                LoadOptions.defaults(),
                null);
    }

    /** The defaults: until Ctrl-C, 3 images/s, port 8081, the bundled model. */
    public static DemoOptions defaults() {
        return new DemoOptions(Duration.ZERO, DEFAULT_RATE, DEFAULT_WEB_PORT, bundledModel());
    }

    /** Parses the flags of {@link #USAGE}. */
    public static DemoOptions parse(String... args) {
        Duration duration = Duration.ZERO;
        double rate = DEFAULT_RATE;
        int webPort = DEFAULT_WEB_PORT;
        Path modelDir = null;
        boolean processes = false;
        int taskManagers = DEFAULT_TASK_MANAGERS;
        Duration killEvery = Duration.ZERO;
        boolean secure = false;
        int burst = 0;
        Map<AnalysisTask, Double> mix = LoadOptions.DEFAULT_MIX;
        int cameras = LoadOptions.DEFAULT_CAMERAS;
        boolean largePages = false;
        Duration captionDeadline = null;
        Duration drainTimeout = LoadOptions.DEFAULT_DRAIN_TIMEOUT;
        Map<String, String> jobSettings = new java.util.LinkedHashMap<>();
        Duration ramp = Duration.ZERO;
        Path metricsOut = null;
        Duration metricsInterval = null;
        Duration metricsWarmup = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--secure")) {
                secure = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
            }
            String value = args[++i];
            switch (flag) {
                case "--duration" ->
                        duration = Duration.ofMillis(Math.round(number(flag, value) * 1000));
                case "--rate" -> rate = number(flag, value);
                case "--web-port" -> webPort = (int) integer(flag, value);
                case "--model-dir" -> modelDir = Path.of(value);
                case "--cluster" -> processes = clusterMode(value);
                case "--taskmanagers" -> taskManagers = (int) integer(flag, value);
                case "--kill-taskmanager-every" ->
                        killEvery = Duration.ofMillis(Math.round(number(flag, value) * 1000));
                case "--burst" -> burst = count(flag, value);
                case "--mix" -> mix = LoadOptions.parseMix(value);
                case "--cameras" -> cameras = count(flag, value);
                case "--pages" -> largePages = LoadOptions.parsePages(value);
                case "--caption-deadline" -> captionDeadline = seconds(flag, value);
                case "--drain-timeout" -> drainTimeout = seconds(flag, value);
                case "--set" -> LoadOptions.parseSetting(value, jobSettings);
                case "--ramp" -> ramp = seconds(flag, value);
                case "--metrics-out" -> metricsOut = Path.of(value);
                case "--metrics-interval" ->
                        metricsInterval = Duration.ofMillis(Math.round(number(flag, value) * 1000));
                case "--metrics-warmup" ->
                        metricsWarmup = Duration.ofMillis(Math.round(number(flag, value) * 1000));
                default ->
                        throw new IllegalArgumentException("Unknown flag " + flag + "\n" + USAGE);
            }
        }
        return new DemoOptions(
                duration,
                rate,
                webPort,
                modelDir != null ? modelDir : bundledModel(),
                processes,
                taskManagers,
                killEvery,
                secure,
                new LoadOptions(
                        burst,
                        mix,
                        cameras,
                        largePages,
                        captionDeadline,
                        drainTimeout,
                        ramp,
                        jobSettings),
                SoakOptions.fromFlags(metricsOut, metricsInterval, metricsWarmup));
    }

    private static boolean clusterMode(String value) {
        return switch (value) {
            case "processes" -> true;
            case "in-jvm" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "--cluster must be in-jvm or processes, was '" + value + "'");
        };
    }

    /** Whether the demo stops by itself. */
    public boolean bounded() {
        return !duration.isZero();
    }

    /** The bundled model, from the repository root or from a module directory. */
    static Path bundledModel() {
        Path dir = ModelDirectory.locateBundled();
        if (Files.isRegularFile(dir.resolve("model.json"))) {
            return dir;
        }
        Path sibling = Path.of("..", "model-serving", "models", "glimpse-tiny");
        return Files.isRegularFile(sibling.resolve("model.json")) ? sibling : dir;
    }

    /** An integer flag, saturated to the int range (so a huge value fails its range check). */
    private static int count(String flag, String value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, integer(flag, value)));
    }

    private static Duration seconds(String flag, String value) {
        return Duration.ofMillis(Math.round(number(flag, value) * 1000));
    }

    private static double number(String flag, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, was '" + value + "'");
        }
    }

    private static long integer(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, was '" + value + "'");
        }
    }
}
