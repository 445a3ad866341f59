package dev.glimpse.jobs.helm;

import static dev.glimpse.jobs.helm.ChartManifestsValidationTest.render;
import static dev.glimpse.jobs.helm.ChartManifestsValidationTest.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The job accepts what the chart gives it: the rendered glimpse.yaml and job arguments go through
 * the job's own parser ({@link ConfigSource#fromArgs}, {@link GlimpseJobConfig#from}), which
 * rejects unknown keys and bad values, for the default values and every ci/ values file.
 */
class ChartJobConfigTest {

    @TempDir Path tmp;

    @ParameterizedTest(name = "values {0}")
    @MethodSource("dev.glimpse.jobs.helm.ChartManifestsValidationTest#valuesFiles")
    void theJobParsesTheRenderedConfigAndArguments(String valuesFile) throws IOException {
        GlimpseJobConfig config = parse(render(template(valuesFile)));

        assertThat(config.kafka().groupId()).isNotBlank();
        assertThat(config.kafka().transactionalIdPrefix()).isNotBlank();
    }

    @Test
    void theJobUsesTheReleasesGroupIdAndTransactionalIdPrefix() throws IOException {
        GlimpseJobConfig config = parse(render(template("")));

        assertThat(config.kafka().groupId()).isEqualTo("vision.demo-glimpse");
        assertThat(config.kafka().transactionalIdPrefix()).isEqualTo("vision.demo-glimpse");
    }

    private GlimpseJobConfig parse(List<JsonNode> manifests) throws IOException {
        JsonNode configMap =
                manifests.stream()
                        .filter(m -> m.path("kind").asText().equals("ConfigMap"))
                        .filter(m -> m.path("data").has("glimpse.yaml"))
                        .findFirst()
                        .orElseThrow();
        Path yaml = tmp.resolve("glimpse.yaml");
        Files.writeString(yaml, configMap.path("data").path("glimpse.yaml").asText());
        JsonNode fd =
                manifests.stream()
                        .filter(m -> m.path("kind").asText().equals("FlinkDeployment"))
                        .findFirst()
                        .orElseThrow();
        List<String> args = new ArrayList<>();
        fd.path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        int config = args.indexOf("--config");
        assertThat(config).isNotNegative();
        args.set(config + 1, yaml.toString());
        return GlimpseJobConfig.from(ConfigSource.fromArgs(args.toArray(String[]::new)));
    }
}
