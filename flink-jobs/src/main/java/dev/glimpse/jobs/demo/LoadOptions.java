package dev.glimpse.jobs.demo;

import dev.glimpse.schemas.AnalysisTask;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of the demo's load beyond its rate, validated on construction (messages name the flag):
 * what {@code --burst}, {@code --mix}, {@code --cameras}, {@code --pages}, {@code
 * --caption-deadline}, {@code --drain-timeout}, {@code --ramp} and {@code --set} set. The defaults
 * are the demo's gentle stream.
 *
 * @param burst events sent at once when streaming starts, on top of the steady rate, in the same
 *     task mix as the stream; 0 = none
 * @param mix share of each task in the stream (and the burst), normalised to sum 1
 * @param cameras camera sources the caption frames rotate over (the frame gate passes at most one
 *     frame per camera per {@code frameGate.minInterval})
 * @param largePages text pages are full-page scans of many lines (many slices and many tokens per
 *     OCR event) instead of words, lines and short pages
 * @param captionDeadline the job's {@code tasks.caption.deadline}; null = the job's default
 * @param drainTimeout how long the demo waits at the end for every sent event to come back
 * @param ramp the steady rate rises linearly from 0 to {@code --rate} over this long (after the
 *     burst), so the job warms up (JIT, first ONNX runs) before it is loaded; zero = full rate at
 *     once
 * @param jobSettings further job configuration keys ({@code --set KEY=VALUE}, the keys of README's
 *     configuration reference), validated by the job when it starts; not those the demo sets itself
 *     (Kafka, model directory, checkpoint directory)
 */
public record LoadOptions(
        int burst,
        Map<AnalysisTask, Double> mix,
        int cameras,
        boolean largePages,
        Duration captionDeadline,
        Duration drainTimeout,
        Duration ramp,
        Map<String, String> jobSettings) {

    public static final int MAX_BURST = 100_000;
    public static final int MAX_CAMERAS = 1000;
    public static final int DEFAULT_CAMERAS = 3;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(4);
    public static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(2);

    /** Six camera frames, one text page and one moderation image of every eight. */
    public static final Map<AnalysisTask, Double> DEFAULT_MIX =
            Map.of(
                    AnalysisTask.CAPTION,
                    0.75,
                    AnalysisTask.OCR,
                    0.125,
                    AnalysisTask.MODERATION,
                    0.125);

    public LoadOptions {
        if (burst < 0 || burst > MAX_BURST) {
            throw new IllegalArgumentException(
                    "--burst must be 0.." + MAX_BURST + " events, was " + burst);
        }
        mix = normalised(mix);
        if (cameras < 1 || cameras > MAX_CAMERAS) {
            throw new IllegalArgumentException(
                    "--cameras must be 1.." + MAX_CAMERAS + ", was " + cameras);
        }
        if (captionDeadline != null
                && (captionDeadline.isNegative()
                        || captionDeadline.compareTo(Duration.ofDays(1)) > 0)) {
            throw new IllegalArgumentException(
                    "--caption-deadline must be 0..86400 seconds (0 = never skip), was "
                            + captionDeadline);
        }
        if (drainTimeout == null
                || drainTimeout.isNegative()
                || drainTimeout.compareTo(MAX_DRAIN_TIMEOUT) > 0) {
            throw new IllegalArgumentException(
                    "--drain-timeout must be 0..7200 seconds, was " + drainTimeout);
        }
        if (ramp == null || ramp.isNegative() || ramp.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--ramp must be 0..3600 seconds, was " + ramp);
        }
        jobSettings = Map.copyOf(jobSettings == null ? Map.of() : jobSettings);
        for (String key : jobSettings.keySet()) {
            if (key.startsWith("kafka.")
                    || key.equals("model.dir")
                    || key.equals("pipeline.checkpointDir")) {
                throw new IllegalArgumentException(
                        "--set "
                                + key
                                + " is set by the demo itself (Kafka, model.dir via"
                                + " --model-dir, pipeline.checkpointDir)");
            }
        }
        if (captionDeadline != null && jobSettings.containsKey(CAPTION_DEADLINE_KEY)) {
            throw new IllegalArgumentException(
                    "--caption-deadline and --set "
                            + CAPTION_DEADLINE_KEY
                            + " both given; use one");
        }
    }

    /** The job key {@code --caption-deadline} sets. */
    static final String CAPTION_DEADLINE_KEY = "tasks.caption.deadline";

    /** Adds {@code KEY=VALUE} of {@code --set} to {@code settings}. */
    static void parseSetting(String value, Map<String, String> settings) {
        int eq = value.indexOf('=');
        String key = eq > 0 ? value.substring(0, eq).strip() : "";
        if (key.isEmpty() || settings.containsKey(key)) {
            throw new IllegalArgumentException(
                    "--set must be KEY=VALUE with a job configuration key (README, Configuration"
                            + " reference), each key once, was '"
                            + value
                            + "'");
        }
        settings.put(key, value.substring(eq + 1).strip());
    }

    /** What the demo adds to its job settings: {@code --set} and {@code --caption-deadline}. */
    Map<String, String> extraJobSettings() {
        Map<String, String> all = new java.util.TreeMap<>(jobSettings);
        if (captionDeadline != null) {
            all.put(CAPTION_DEADLINE_KEY, captionDeadline.toMillis() + " ms");
        }
        return all;
    }

    /** The demo's gentle stream: no burst, the default mix, three cameras, small pages. */
    public static LoadOptions defaults() {
        return new LoadOptions(
                0,
                DEFAULT_MIX,
                DEFAULT_CAMERAS,
                false,
                null,
                DEFAULT_DRAIN_TIMEOUT,
                Duration.ZERO,
                Map.of());
    }

    /** The mix of {@code --mix caption=0.6,ocr=0.2,moderation=0.2} (missing tasks weigh 0). */
    static Map<AnalysisTask, Double> parseMix(String value) {
        Map<AnalysisTask, Double> mix = new EnumMap<>(AnalysisTask.class);
        for (String pair : value.split(",", -1)) {
            String[] kv = pair.split("=", -1);
            AnalysisTask task = kv.length == 2 ? task(kv[0].strip()) : null;
            if (task == null || mix.containsKey(task)) {
                throw badMix(value);
            }
            try {
                mix.put(task, Double.parseDouble(kv[1].strip()));
            } catch (NumberFormatException e) {
                throw badMix(value);
            }
        }
        return mix;
    }

    /** {@code --pages normal|large}. */
    static boolean parsePages(String value) {
        return switch (value) {
            case "large" -> true;
            case "normal" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "--pages must be normal or large, was '" + value + "'");
        };
    }

    /** {@code caption=0.75,ocr=0.125,moderation=0.125}. */
    String describeMix() {
        StringBuilder sb = new StringBuilder();
        for (AnalysisTask t : AnalysisTask.values()) {
            sb.append(sb.length() == 0 ? "" : ",")
                    .append(t.name().toLowerCase(Locale.ROOT))
                    .append('=')
                    .append(
                            String.format(Locale.ROOT, "%.3f", mix.get(t))
                                    .replaceAll("0+$", "")
                                    .replaceAll("\\.$", ""));
        }
        return sb.toString();
    }

    private static AnalysisTask task(String name) {
        for (AnalysisTask t : AnalysisTask.values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }

    private static IllegalArgumentException badMix(String value) {
        return new IllegalArgumentException(
                "--mix must be task=weight pairs separated by commas, tasks caption, ocr and"
                        + " moderation each at most once, was '"
                        + value
                        + "'");
    }

    private static Map<AnalysisTask, Double> normalised(Map<AnalysisTask, Double> mix) {
        if (mix == null) {
            throw new IllegalArgumentException("--mix must name at least one task, was none");
        }
        double total = 0;
        for (Map.Entry<AnalysisTask, Double> e : mix.entrySet()) {
            double w = e.getValue();
            if (!(w >= 0 && w <= 1000)) {
                throw new IllegalArgumentException(
                        "--mix weight of "
                                + e.getKey().name().toLowerCase(Locale.ROOT)
                                + " must be 0..1000, was "
                                + w);
            }
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("--mix weights must not all be 0");
        }
        Map<AnalysisTask, Double> shares = new EnumMap<>(AnalysisTask.class);
        for (AnalysisTask t : AnalysisTask.values()) {
            shares.put(t, mix.getOrDefault(t, 0.0) / total);
        }
        return Map.copyOf(shares);
    }
}
