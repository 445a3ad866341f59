package dev.glimpse.jobs.helm;

import static dev.glimpse.jobs.helm.ChartManifestsValidationTest.render;
import static dev.glimpse.jobs.helm.ChartManifestsValidationTest.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the chart does about issue #18: Flink 2.2 in the FlinkDeployment, no REST jar upload, the
 * model on TaskManagers only with resources for its copy, per-release Kafka group and transactional
 * ids, the NetworkPolicy, Strimzi v1 topics and the operator's autoscaler (off by default).
 */
class HelmChartHardeningTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theFlinkDeploymentDeclaresFlink22AndRefusesJarUploads() {
        JsonNode spec = one(render(template("")), "FlinkDeployment").path("spec");

        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.path("flinkConfiguration").path("web.submit.enable").asText())
                .isEqualTo("false");
    }

    @Test
    void everyTemplateAndContainerRunsAsUidAndGid9999() {
        JsonNode spec = one(render(template("")), "FlinkDeployment").path("spec");

        List<JsonNode> pods =
                List.of(
                        spec.path("podTemplate").path("spec"),
                        spec.path("jobManager").path("podTemplate").path("spec"),
                        spec.path("taskManager").path("podTemplate").path("spec"));
        List<String> containers = new ArrayList<>();
        for (JsonNode pod : pods) {
            JsonNode sc = pod.path("securityContext");
            assertThat(sc.path("runAsUser").asInt()).isEqualTo(9999);
            assertThat(sc.path("runAsGroup").asInt()).isEqualTo(9999);
            assertThat(sc.path("fsGroup").asInt()).isEqualTo(9999);
            for (String list : List.of("initContainers", "containers")) {
                for (JsonNode c : pod.path(list)) {
                    containers.add(c.path("name").asText());
                    assertThat(c.path("securityContext").path("runAsUser").asInt()).isEqualTo(9999);
                    assertThat(c.path("securityContext").path("runAsGroup").asInt())
                            .isEqualTo(9999);
                    assertThat(c.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
                }
            }
        }
        assertThat(containers)
                .containsExactly(
                        "flink-main-container",
                        "flink-main-container",
                        "copy-model",
                        "flink-main-container");
    }

    @Test
    void onlyTaskManagersCopyAndMountTheModel() {
        JsonNode spec = one(render(template("ci/values-gpu.yaml")), "FlinkDeployment").path("spec");

        assertThat(spec.path("podTemplate").path("spec").has("initContainers")).isFalse();
        assertThat(spec.path("podTemplate").path("spec").has("volumes")).isFalse();
        JsonNode jm = spec.path("jobManager").path("podTemplate").path("spec");
        assertThat(jm.has("initContainers")).isFalse();
        assertThat(names(jm.path("volumes"))).containsExactly("glimpse-config");
        assertThat(names(jm.path("containers").get(0).path("volumeMounts")))
                .containsExactly("glimpse-config");
        JsonNode tm = spec.path("taskManager").path("podTemplate").path("spec");
        assertThat(names(tm.path("initContainers"))).containsExactly("copy-model");
        assertThat(names(tm.path("volumes"))).containsExactly("glimpse-config", "model");
    }

    @Test
    void theModelCopyHasResourcesAndTheTaskManagerRequestsItsEphemeralStorage() {
        JsonNode tm =
                one(render(template("ci/values-gpu.yaml")), "FlinkDeployment")
                        .path("spec")
                        .path("taskManager")
                        .path("podTemplate")
                        .path("spec");

        JsonNode init = tm.path("initContainers").get(0).path("resources");
        assertThat(init.path("requests").path("cpu").asText()).isEqualTo("100m");
        assertThat(init.path("requests").path("memory").asText()).isEqualTo("64Mi");
        assertThat(init.path("limits").path("memory").asText()).isEqualTo("256Mi");
        JsonNode main = tm.path("containers").get(0).path("resources");
        assertThat(main.path("requests").path("ephemeral-storage").asText()).isEqualTo("20Gi");
        assertThat(main.path("requests").path("nvidia.com/gpu").asInt()).isEqualTo(1);
        assertThat(main.path("limits").has("ephemeral-storage")).isFalse();
    }

    @Test
    void groupIdAndTransactionalIdPrefixAreUniquePerReleaseUnlessSet() throws IOException {
        JsonNode demo = kafkaConfig(template(""));
        JsonNode other = kafkaConfig(template("").withName("other"));
        JsonNode set = kafkaConfig(template("ci/values-all-features.yaml"));

        assertThat(demo.path("groupId").asText()).isEqualTo("vision.demo-glimpse");
        assertThat(demo.path("transactionalIdPrefix").asText()).isEqualTo("vision.demo-glimpse");
        assertThat(other.path("groupId").asText()).isEqualTo("vision.other-glimpse");
        assertThat(other.path("transactionalIdPrefix").asText()).isEqualTo("vision.other-glimpse");
        assertThat(set.path("groupId").asText()).isEqualTo("vision-analysis");
        assertThat(set.path("transactionalIdPrefix").asText()).isEqualTo("vision-analysis-tx");
    }

    @Test
    void theNetworkPolicyLetsMetricsInOnlyFromMonitoringAndTheOperatorOnlyToRest() {
        JsonNode spec = one(render(template("")), "NetworkPolicy").path("spec");

        assertThat(
                        spec.path("podSelector")
                                .path("matchLabels")
                                .path("app.kubernetes.io/instance")
                                .asText())
                .isEqualTo("demo");
        assertThat(texts(spec.path("policyTypes"))).containsExactly("Ingress", "Egress");
        JsonNode ingress = spec.path("ingress");
        assertThat(ingress).hasSize(3);
        assertThat(ingress.get(0).has("ports")).isFalse();
        assertThat(
                        ingress.get(0)
                                .path("from")
                                .get(0)
                                .path("podSelector")
                                .path("matchLabels")
                                .path("app.kubernetes.io/name")
                                .asText())
                .isEqualTo("glimpse");
        assertThat(
                        ingress.get(1)
                                .path("from")
                                .get(0)
                                .path("podSelector")
                                .path("matchLabels")
                                .path("app.kubernetes.io/name")
                                .asText())
                .isEqualTo("flink-kubernetes-operator");
        assertThat(texts(ingress.get(1).path("ports"), "port")).containsExactly("8081");
        assertThat(
                        ingress.get(2)
                                .path("from")
                                .get(0)
                                .path("namespaceSelector")
                                .path("matchLabels")
                                .path("kubernetes.io/metadata.name")
                                .asText())
                .isEqualTo("monitoring");
        assertThat(texts(ingress.get(2).path("ports"), "port")).containsExactly("9249", "9250");
        JsonNode egress = spec.path("egress");
        assertThat(texts(egress.get(1).path("ports"), "port")).containsExactly("9092", "9093");
        assertThat(egress.get(1).has("to")).isFalse();
        assertThat(texts(egress.get(2).path("ports"), "port")).containsExactly("53", "53");
        assertThat(texts(egress.get(3).path("ports"), "port")).containsExactly("443", "6443");
    }

    @Test
    void theNetworkPolicyCanBeTurnedOff() {
        assertThat(render(template("").set("networkPolicy.enabled", false)))
                .noneMatch(m -> m.path("kind").asText().equals("NetworkPolicy"));
    }

    @Test
    void strimziTopicsAreV1UnlessV1beta2IsAskedFor() {
        assertThat(render(template("ci/values-cpu.yaml")))
                .filteredOn(m -> m.path("kind").asText().equals("KafkaTopic"))
                .hasSize(3)
                .allMatch(t -> t.path("apiVersion").asText().equals("kafka.strimzi.io/v1"));
        assertThat(
                        render(
                                template("ci/values-cpu.yaml")
                                        .set("kafka.strimzi.apiVersion", "v1beta2")))
                .filteredOn(m -> m.path("kind").asText().equals("KafkaTopic"))
                .allMatch(t -> t.path("apiVersion").asText().equals("kafka.strimzi.io/v1beta2"));
    }

    @Test
    void theAutoscalerIsOffByDefaultAndConfiguredFromValuesWhenOn() {
        JsonNode off =
                one(render(template("")), "FlinkDeployment")
                        .path("spec")
                        .path("flinkConfiguration");
        JsonNode on =
                one(render(template("ci/values-all-features.yaml")), "FlinkDeployment")
                        .path("spec")
                        .path("flinkConfiguration");

        List<String> offKeys = new ArrayList<>();
        off.fieldNames().forEachRemaining(offKeys::add);
        assertThat(offKeys).noneMatch(k -> k.startsWith("job.autoscaler."));
        assertThat(on.path("job.autoscaler.enabled").asText()).isEqualTo("true");
        assertThat(on.path("job.autoscaler.scaling.enabled").asText()).isEqualTo("false");
        assertThat(on.path("job.autoscaler.stabilization.interval").asText()).isEqualTo("5m");
        assertThat(on.path("job.autoscaler.metrics.window").asText()).isEqualTo("15m");
        assertThat(on.path("job.autoscaler.target.utilization").asText()).isEqualTo("0.7");
        assertThat(on.path("job.autoscaler.target.utilization.boundary").asText()).isEqualTo("0.3");
        assertThat(on.path("job.autoscaler.vertex.min-parallelism").asText()).isEqualTo("1");
        assertThat(on.path("job.autoscaler.vertex.max-parallelism").asText()).isEqualTo("16");
        assertThat(on.path("job.autoscaler.memory.tuning.enabled").asText()).isEqualTo("false");
    }

    private static JsonNode kafkaConfig(TemplateCommand command) throws IOException {
        List<JsonNode> manifests = render(command);
        JsonNode cm =
                manifests.stream()
                        .filter(m -> m.path("metadata").path("name").asText().endsWith("-config"))
                        .findFirst()
                        .orElseThrow();
        return YAML.readTree(cm.path("data").path("glimpse.yaml").asText()).path("kafka");
    }

    private static JsonNode one(List<JsonNode> manifests, String kind) {
        List<JsonNode> found =
                manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static List<String> names(JsonNode list) {
        return texts(list, "name");
    }

    private static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> texts(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }
}
