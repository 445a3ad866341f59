package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.jobs.demo.soak.SoakOptions;
import java.nio.file.Path;
import java.time.Duration;
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
                .hasMessageStartingWith("--rate must be in (0, 50]");
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
}
