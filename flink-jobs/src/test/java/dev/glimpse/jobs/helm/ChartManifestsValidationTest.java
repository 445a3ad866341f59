package dev.glimpse.jobs.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders helm/glimpse with the default values, every values file in {@code ci/} and a few
 * variants, and validates every rendered manifest against the real schemas of its API ({@link
 * ManifestSchemaValidator}: unknown fields, types, enums) and every pod template against the Pod
 * Security Standard "restricted" ({@link PodSecurityRestrictedCheck}).
 */
class ChartManifestsValidationTest {

    static final Path CHART =
            Path.of(System.getProperty("basedir", "."), "..", "helm", "glimpse")
                    .toAbsolutePath()
                    .normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ManifestSchemaValidator VALIDATOR = new ManifestSchemaValidator();

    /** "" (the defaults) and every ci/*.yaml. */
    static Stream<String> valuesFiles() throws IOException {
        List<String> files = new ArrayList<>();
        files.add("");
        try (Stream<Path> ci = Files.list(CHART.resolve("ci"))) {
            ci.map(p -> "ci/" + p.getFileName())
                    .filter(f -> f.endsWith(".yaml"))
                    .sorted()
                    .forEach(files::add);
        }
        return files.stream();
    }

    @Test
    void ciHoldsTheAllFeaturesValuesAndTheScenarioValues() throws IOException {
        assertThat(valuesFiles())
                .contains(
                        "",
                        "ci/values-all-features.yaml",
                        "ci/values-cpu.yaml",
                        "ci/values-gpu.yaml",
                        "ci/values-kafka-sasl-tls.yaml");
    }

    @ParameterizedTest(name = "values {0}")
    @MethodSource("valuesFiles")
    void everyManifestMatchesTheSchemaOfItsApiStrictly(String valuesFile) {
        List<JsonNode> manifests = render(template(valuesFile));

        assertThat(manifests).isNotEmpty();
        List<String> errors = new ArrayList<>();
        manifests.forEach(m -> errors.addAll(VALIDATOR.validate(m)));
        assertThat(errors).as("schema violations").isEmpty();
    }

    @ParameterizedTest(name = "values {0}")
    @MethodSource("valuesFiles")
    void everyPodTemplateMeetsThePodSecurityStandardRestricted(String valuesFile) {
        List<JsonNode> manifests = render(template(valuesFile));
        JsonNode fd =
                manifests.stream()
                        .filter(m -> m.path("kind").asText().equals("FlinkDeployment"))
                        .findFirst()
                        .orElseThrow();

        assertThat(PodSecurityRestrictedCheck.podSpecs(fd)).hasSize(3);
        List<String> violations = new ArrayList<>();
        manifests.forEach(m -> violations.addAll(PodSecurityRestrictedCheck.violations(m)));
        assertThat(violations).as("restricted PSS violations").isEmpty();
    }

    @Test
    void allFeaturesValuesRenderEveryKindTheChartHas() {
        List<String> kinds =
                render(template("ci/values-all-features.yaml")).stream()
                        .map(m -> m.path("apiVersion").asText() + " " + m.path("kind").asText())
                        .distinct()
                        .sorted()
                        .toList();

        assertThat(kinds)
                .containsExactly(
                        "flink.apache.org/v1beta1 FlinkDeployment",
                        "kafka.strimzi.io/v1 KafkaTopic",
                        "monitoring.coreos.com/v1 PodMonitor",
                        "networking.k8s.io/v1 NetworkPolicy",
                        "rbac.authorization.k8s.io/v1 Role",
                        "rbac.authorization.k8s.io/v1 RoleBinding",
                        "v1 ConfigMap",
                        "v1 ServiceAccount");
    }

    @Test
    void strimziV1beta2FallbackMatchesTheV1beta2Schema() {
        List<JsonNode> manifests =
                render(template("ci/values-cpu.yaml").set("kafka.strimzi.apiVersion", "v1beta2"));

        List<JsonNode> topics =
                manifests.stream()
                        .filter(m -> m.path("kind").asText().equals("KafkaTopic"))
                        .toList();
        assertThat(topics).hasSize(3);
        assertThat(topics)
                .allMatch(t -> t.path("apiVersion").asText().equals("kafka.strimzi.io/v1beta2"));
        List<String> errors = new ArrayList<>();
        topics.forEach(t -> errors.addAll(VALIDATOR.validate(t)));
        assertThat(errors).isEmpty();
    }

    @Test
    void aRootContainerRenderedFromValuesIsCaught() {
        List<JsonNode> manifests = render(template("").set("securityContext.runAsUser", 0));

        List<String> violations = new ArrayList<>();
        manifests.forEach(m -> violations.addAll(PodSecurityRestrictedCheck.violations(m)));
        assertThat(violations)
                .contains(
                        "FlinkDeployment/demo-glimpse spec.taskManager.podTemplate: container"
                                + " copy-model: runAsUser must not be 0 (root)",
                        "FlinkDeployment/demo-glimpse spec.podTemplate: container"
                                + " flink-main-container: runAsUser must not be 0 (root)");
    }

    static TemplateCommand template(String valuesFile) {
        TemplateCommand command =
                new Helm(CHART).template().withName("demo").withNamespace("vision");
        return valuesFile.isEmpty() ? command : command.withValuesFile(CHART.resolve(valuesFile));
    }

    static List<JsonNode> render(TemplateCommand command) {
        String yaml = command.call();
        try {
            return YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
                    .filter(d -> d != null && d.isObject() && d.has("kind"))
                    .toList();
        } catch (IOException e) {
            throw new AssertionError("rendered manifests are not YAML:\n" + yaml, e);
        }
    }
}
