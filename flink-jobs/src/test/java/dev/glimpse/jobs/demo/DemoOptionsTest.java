package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.jobs.demo.soak.SoakOptions;
import dev.glimpse.schemas.AnalysisTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    private static final Path MODEL = Path.of("..", "model-serving", "models", "glimpse-tiny");

    @Test
    void parsesEveryFlag() {
        DemoOptions o =
                DemoOptions.parse(
                        "--duration",
                        "12.5",
                        "--rate",
                        "4",
                        "--web-port",
                        "9091",
                        "--model-dir",
                        MODEL.toString(),
                        "--secure");
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(12_500));
        assertThat(o.secure()).isTrue();
        assertThat(o.rate()).isEqualTo(4.0);
        assertThat(o.webPort()).isEqualTo(9091);
        assertThat(o.modelDir()).isAbsolute().endsWith(Path.of("models", "glimpse-tiny"));
        assertThat(o.bounded()).isTrue();
    }

    @Test
    void defaultsRunUntilStoppedOnPort8081WithTheBundledModel() {
        DemoOptions o = DemoOptions.parse("--model-dir", MODEL.toString());
        assertThat(o.bounded()).isFalse();
        assertThat(o.rate()).isEqualTo(DemoOptions.DEFAULT_RATE);
        assertThat(o.webPort()).isEqualTo(8081);
        assertThat(o.secure()).isFalse();
    }

    @Test
    void clusterFlagsSelectTheProcessClusterAndItsChaos() {
        DemoOptions o =
                DemoOptions.parse(
                        "--cluster",
                        "processes",
                        "--taskmanagers",
                        "3",
                        "--kill-taskmanager-every",
                        "25",
                        "--model-dir",
                        MODEL.toString());
        assertThat(o.processes()).isTrue();
        assertThat(o.taskManagers()).isEqualTo(3);
        assertThat(o.killTaskManagerEvery()).isEqualTo(Duration.ofSeconds(25));

        DemoOptions defaults = DemoOptions.parse("--model-dir", MODEL.toString());
        assertThat(defaults.processes()).isFalse();
        assertThat(defaults.taskManagers()).isEqualTo(2);
        assertThat(defaults.killTaskManagerEvery()).isZero();
    }

    @Test
    void clusterFlagErrorsNameTheFlag() {
        assertThatThrownBy(() -> DemoOptions.parse("--cluster", "yarn", "--model-dir", "" + MODEL))
                .hasMessage("--cluster must be in-jvm or processes, was 'yarn'");
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--cluster",
                                        "processes",
                                        "--taskmanagers",
                                        "0",
                                        "--model-dir",
                                        "" + MODEL))
                .hasMessage("--taskmanagers must be 1..8, was 0");
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--kill-taskmanager-every",
                                        "10",
                                        "--model-dir",
                                        "" + MODEL))
                .hasMessageStartingWith("--kill-taskmanager-every needs --cluster processes");
    }

    @Test
    void errorsNameTheFlag() {
        assertThatThrownBy(() -> DemoOptions.parse("--duration", "-1", "--model-dir", "" + MODEL))
                .hasMessageStartingWith("--duration must be >= 0");
        assertThatThrownBy(() -> DemoOptions.parse("--rate", "0", "--model-dir", "" + MODEL))
                .hasMessageStartingWith("--rate must be in (0, 2000]");
        assertThatThrownBy(() -> DemoOptions.parse("--rate", "2001", "--model-dir", "" + MODEL))
                .hasMessage("--rate must be in (0, 2000] images/s, was 2001.0");
        assertThatThrownBy(() -> DemoOptions.parse("--rate", "fast"))
                .hasMessage("--rate must be a number, was 'fast'");
        assertThatThrownBy(
                        () -> DemoOptions.parse("--web-port", "70000", "--model-dir", "" + MODEL))
                .hasMessageStartingWith("--web-port must be 0..65535");
        assertThatThrownBy(() -> DemoOptions.parse("--model-dir", "/nonexistent"))
                .hasMessageStartingWith("--model-dir /nonexistent is not a model directory");
        assertThatThrownBy(() -> DemoOptions.parse("--speed", "3"))
                .hasMessageStartingWith("Unknown flag --speed");
        assertThatThrownBy(() -> DemoOptions.parse("--rate"))
                .hasMessageStartingWith("--rate needs a value");
    }

    @Test
    void metricsFlagsRecordIntoTheDirectoryWithDefaultsForIntervalAndWarmUp() {
        DemoOptions off = DemoOptions.parse("--model-dir", "" + MODEL);
        DemoOptions defaults =
                DemoOptions.parse("--metrics-out", "/tmp/soak", "--model-dir", "" + MODEL);
        DemoOptions set =
                DemoOptions.parse(
                        "--metrics-out",
                        "out/soak",
                        "--metrics-interval",
                        "5",
                        "--metrics-warmup",
                        "90",
                        "--model-dir",
                        "" + MODEL);

        assertThat(off.metrics()).isNull();
        assertThat(defaults.metrics())
                .isEqualTo(
                        new SoakOptions(
                                Path.of("/tmp/soak"),
                                Duration.ofSeconds(10),
                                Duration.ofMinutes(5)));
        assertThat(defaults.metrics().csv()).isEqualTo(Path.of("/tmp/soak/soak.csv"));
        assertThat(set.metrics())
                .isEqualTo(
                        new SoakOptions(
                                Path.of("out/soak"),
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(90)));
    }

    @Test
    void metricsFlagErrorsNameTheFlag() {
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--metrics-interval", "5", "--model-dir", "" + MODEL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--metrics-interval needs --metrics-out DIR");
        assertThatThrownBy(
                        () -> DemoOptions.parse("--metrics-warmup", "5", "--model-dir", "" + MODEL))
                .hasMessage("--metrics-warmup needs --metrics-out DIR");
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--metrics-out",
                                        "d",
                                        "--metrics-interval",
                                        "0.5",
                                        "--model-dir",
                                        "" + MODEL))
                .hasMessage("--metrics-interval must be >= 1 second, was 0.5 s");
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--metrics-out",
                                        "d",
                                        "--metrics-warmup",
                                        "-1",
                                        "--model-dir",
                                        "" + MODEL))
                .hasMessage("--metrics-warmup must be >= 0 seconds, was -1.0 s");
    }

    @Test
    void loadFlagsSetBurstMixCamerasPagesDeadlineAndDrainBound() {
        DemoOptions o =
                DemoOptions.parse(
                        "--rate",
                        "600",
                        "--burst",
                        "500",
                        "--mix",
                        "caption=6, ocr=2,MODERATION=2",
                        "--cameras",
                        "200",
                        "--pages",
                        "large",
                        "--caption-deadline",
                        "2.5",
                        "--drain-timeout",
                        "600",
                        "--ramp",
                        "20",
                        "--model-dir",
                        MODEL.toString());
        LoadOptions load = o.load();
        assertThat(o.rate()).isEqualTo(600.0);
        assertThat(load.burst()).isEqualTo(500);
        assertThat(load.mix())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                AnalysisTask.CAPTION, 0.6,
                                AnalysisTask.OCR, 0.2,
                                AnalysisTask.MODERATION, 0.2));
        assertThat(load.describeMix()).isEqualTo("caption=0.6,ocr=0.2,moderation=0.2");
        assertThat(load.cameras()).isEqualTo(200);
        assertThat(load.largePages()).isTrue();
        assertThat(load.captionDeadline()).isEqualTo(Duration.ofMillis(2500));
        assertThat(load.drainTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(load.ramp()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void loadDefaultsAreTheGentleStream() {
        LoadOptions load = DemoOptions.parse("--model-dir", MODEL.toString()).load();
        assertThat(load).isEqualTo(LoadOptions.defaults());
        assertThat(load.burst()).isZero();
        assertThat(load.describeMix()).isEqualTo("caption=0.75,ocr=0.125,moderation=0.125");
        assertThat(load.cameras()).isEqualTo(3);
        assertThat(load.largePages()).isFalse();
        assertThat(load.captionDeadline()).isNull();
        assertThat(load.drainTimeout()).isEqualTo(Duration.ofMinutes(4));
        assertThat(load.ramp()).isZero();
    }

    @Test
    void aMixMayLeaveTasksOutAndTheyWeighZero() {
        LoadOptions load =
                DemoOptions.parse("--mix", "ocr=1", "--model-dir", MODEL.toString()).load();
        assertThat(load.mix().get(AnalysisTask.OCR)).isEqualTo(1.0);
        assertThat(load.mix().get(AnalysisTask.CAPTION)).isEqualTo(0.0);
        assertThat(load.mix().get(AnalysisTask.MODERATION)).isEqualTo(0.0);
    }

    @Test
    void loadFlagErrorsNameTheFlagAndTheRange() {
        String mixError =
                "--mix must be task=weight pairs separated by commas, tasks caption, ocr and"
                        + " moderation each at most once, was '%s'";
        assertThatThrownBy(() -> parse("--burst", "-1"))
                .hasMessage("--burst must be 0..100000 events, was -1");
        assertThatThrownBy(() -> parse("--burst", "99999999999"))
                .hasMessage("--burst must be 0..100000 events, was 2147483647");
        assertThatThrownBy(() -> parse("--burst", "many"))
                .hasMessage("--burst must be an integer, was 'many'");
        assertThatThrownBy(() -> parse("--mix", "caption=1,faces=1"))
                .hasMessage(mixError.formatted("caption=1,faces=1"));
        assertThatThrownBy(() -> parse("--mix", "caption=1,caption=2"))
                .hasMessage(mixError.formatted("caption=1,caption=2"));
        assertThatThrownBy(() -> parse("--mix", "caption"))
                .hasMessage(mixError.formatted("caption"));
        assertThatThrownBy(() -> parse("--mix", "ocr=lots"))
                .hasMessage(mixError.formatted("ocr=lots"));
        assertThatThrownBy(() -> parse("--mix", "ocr=-1"))
                .hasMessage("--mix weight of ocr must be 0..1000, was -1.0");
        assertThatThrownBy(() -> parse("--mix", "ocr=0,caption=0"))
                .hasMessage("--mix weights must not all be 0");
        assertThatThrownBy(() -> parse("--cameras", "0"))
                .hasMessage("--cameras must be 1..1000, was 0");
        assertThatThrownBy(() -> parse("--pages", "huge"))
                .hasMessage("--pages must be normal or large, was 'huge'");
        assertThatThrownBy(() -> parse("--caption-deadline", "-1"))
                .hasMessage(
                        "--caption-deadline must be 0..86400 seconds (0 = never skip), was PT-1S");
        assertThatThrownBy(() -> parse("--drain-timeout", "7201"))
                .hasMessage("--drain-timeout must be 0..7200 seconds, was PT2H1S");
        assertThatThrownBy(() -> parse("--ramp", "-2"))
                .hasMessage("--ramp must be 0..3600 seconds, was PT-2S");
    }

    @Test
    void setPassesJobKeysAndCaptionDeadlineBecomesTheJobsKey() {
        DemoOptions o =
                DemoOptions.parse(
                        "--set",
                        "pipeline.asyncCapacity=512",
                        "--set",
                        " engine.maxQueuedRequests = 1024",
                        "--caption-deadline",
                        "0.5",
                        "--model-dir",
                        MODEL.toString());
        assertThat(o.load().extraJobSettings())
                .containsExactly(
                        Map.entry("engine.maxQueuedRequests", "1024"),
                        Map.entry("pipeline.asyncCapacity", "512"),
                        Map.entry("tasks.caption.deadline", "500 ms"));
        assertThat(DemoOptions.parse("--model-dir", MODEL.toString()).load().extraJobSettings())
                .isEmpty();
    }

    @Test
    void setErrorsNameTheFlagAndTheKey() {
        String format =
                "--set must be KEY=VALUE with a job configuration key (README, Configuration"
                        + " reference), each key once, was '%s'";
        assertThatThrownBy(() -> parse("--set", "pipeline.asyncCapacity"))
                .hasMessage(format.formatted("pipeline.asyncCapacity"));
        assertThatThrownBy(() -> parse("--set", "=5")).hasMessage(format.formatted("=5"));
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--set", "a=1", "--set", "a=2", "--model-dir", "" + MODEL))
                .hasMessage(format.formatted("a=2"));
        assertThatThrownBy(() -> parse("--set", "kafka.groupId=x"))
                .hasMessage(
                        "--set kafka.groupId is set by the demo itself (Kafka, model.dir via"
                                + " --model-dir, pipeline.checkpointDir)");
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        "--set",
                                        "tasks.caption.deadline=1 s",
                                        "--caption-deadline",
                                        "2",
                                        "--model-dir",
                                        "" + MODEL))
                .hasMessage(
                        "--caption-deadline and --set tasks.caption.deadline both given; use one");
    }

    private static DemoOptions parse(String flag, String value) {
        return DemoOptions.parse(flag, value, "--model-dir", MODEL.toString());
    }
}
