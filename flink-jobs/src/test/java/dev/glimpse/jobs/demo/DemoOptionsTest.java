package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
