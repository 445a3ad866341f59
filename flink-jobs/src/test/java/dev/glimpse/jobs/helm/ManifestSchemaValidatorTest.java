package dev.glimpse.jobs.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validator accepts valid manifests and reports unknown fields, bad enums and wrong types. */
class ManifestSchemaValidatorTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ManifestSchemaValidator VALIDATOR = new ManifestSchemaValidator();

    private static final String FLINK_DEPLOYMENT =
            """
            apiVersion: flink.apache.org/v1beta1
            kind: FlinkDeployment
            metadata:
              name: fd
              labels: {app: x}
            spec:
              image: glimpse:1
              flinkVersion: v2_2
              serviceAccount: flink
              flinkConfiguration: {taskmanager.numberOfTaskSlots: "2"}
              podTemplate:
                spec:
                  securityContext: {runAsNonRoot: true, runAsUser: 9999}
                  containers:
                    - name: flink-main-container
                      securityContext: {allowPrivilegeEscalation: false}
              jobManager: {replicas: 1, resource: {cpu: 1, memory: 2048m}}
              taskManager: {resource: {cpu: 2, memory: 8192m}}
              job: {jarURI: "local:///x.jar", parallelism: 2, upgradeMode: savepoint, state: running}
            """;

    @Test
    void aValidFlinkDeploymentHasNoViolations() {
        assertThat(VALIDATOR.validate(yaml(FLINK_DEPLOYMENT))).isEmpty();
    }

    @Test
    void anUnknownFieldInTheFlinkDeploymentSpecIsReported() {
        ObjectNode fd = yaml(FLINK_DEPLOYMENT);
        ((ObjectNode) fd.path("spec").path("jobManager")).put("replica", 2);

        assertThat(VALIDATOR.validate(fd))
                .containsExactly(
                        "flink.apache.org/v1beta1 FlinkDeployment/fd /spec/jobManager: property"
                                + " 'replica' is not defined in the schema and the schema does not"
                                + " allow additional properties");
    }

    @Test
    void anUnknownFieldDeepInThePodTemplateIsReported() {
        ObjectNode fd = yaml(FLINK_DEPLOYMENT);
        ObjectNode sc =
                (ObjectNode)
                        fd.path("spec")
                                .path("podTemplate")
                                .path("spec")
                                .path("containers")
                                .get(0)
                                .path("securityContext");
        sc.put("runAsNonroot", true);

        assertThat(VALIDATOR.validate(fd))
                .singleElement()
                .asString()
                .contains("/spec/podTemplate/spec/containers/0/securityContext:", "'runAsNonroot'");
    }

    @Test
    void aValueOutsideAnEnumIsReported() {
        ObjectNode fd = yaml(FLINK_DEPLOYMENT);
        ((ObjectNode) fd.path("spec").path("job")).put("upgradeMode", "savepoints");
        ((ObjectNode) fd.path("spec")).put("flinkVersion", "v2_9");

        List<String> errors = VALIDATOR.validate(fd);

        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).contains("/spec/flinkVersion:", "enumeration");
        assertThat(errors.get(1)).contains("/spec/job/upgradeMode:", "enumeration");
    }

    @Test
    void anUnknownMetadataFieldOfACustomResourceIsReported() {
        ObjectNode fd = yaml(FLINK_DEPLOYMENT);
        ((ObjectNode) fd.path("metadata")).put("label", "x");

        assertThat(VALIDATOR.validate(fd))
                .singleElement()
                .asString()
                .contains("/metadata:", "'label'");
    }

    @Test
    void preservedUnknownFieldsStayAllowedWhereTheCrdSaysSo() {
        JsonNode topic =
                yaml(
                        """
                        apiVersion: kafka.strimzi.io/v1
                        kind: KafkaTopic
                        metadata: {name: t, labels: {strimzi.io/cluster: k}}
                        spec:
                          partitions: 3
                          replicas: 3
                          config: {retention.ms: 1000, any.topic.config: "x"}
                        """);

        assertThat(VALIDATOR.validate(topic)).isEmpty();
    }

    @Test
    void kafkaTopicPartitionsBelowTheMinimumAreReported() {
        JsonNode topic =
                yaml(
                        """
                        apiVersion: kafka.strimzi.io/v1
                        kind: KafkaTopic
                        metadata: {name: t}
                        spec: {partitions: 0, replica: 3}
                        """);

        List<String> errors = VALIDATOR.validate(topic);

        assertThat(errors).hasSize(2);
        assertThat(String.join("\n", errors))
                .contains(
                        "/spec/partitions: must have a minimum value of 1",
                        "/spec: property 'replica'");
    }

    @Test
    void aCoreObjectWithAnUnknownFieldOrAWrongTypeIsReported() {
        JsonNode policy =
                yaml(
                        """
                        apiVersion: networking.k8s.io/v1
                        kind: NetworkPolicy
                        metadata: {name: np}
                        spec:
                          podSelector: {matchLabels: {app: x}}
                          policyTypes: [Ingress]
                          ingress:
                            - from: [{podSelector: {}}]
                              ports: [{port: 8081, protocol: TCP, portt: 1}]
                          egres: []
                        """);

        List<String> errors = VALIDATOR.validate(policy);

        assertThat(String.join("\n", errors))
                .contains("/spec/ingress/0/ports/0: property 'portt'", "/spec: property 'egres'");
        assertThat(errors).hasSize(2);
    }

    @Test
    void aConfigMapWithNonStringDataIsReported() {
        JsonNode cm =
                yaml(
                        """
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: cm}
                        data: {key: {nested: 1}}
                        """);

        assertThat(VALIDATOR.validate(cm))
                .singleElement()
                .asString()
                .isEqualTo("v1 ConfigMap/cm /data/key: object found, string expected");
    }

    @Test
    void aWrongApiVersionOrAnUnknownKindIsReported() {
        JsonNode oldTopic =
                yaml(
                        "{apiVersion: kafka.strimzi.io/v1beta1, kind: KafkaTopic, metadata: {name: t}}");
        JsonNode wrongCore = yaml("{apiVersion: v2, kind: ConfigMap, metadata: {name: c}}");

        assertThat(VALIDATOR.validate(oldTopic))
                .singleElement()
                .asString()
                .startsWith(
                        "kafka.strimzi.io/v1beta1 KafkaTopic/t: no schema for apiVersion/kind"
                                + " kafka.strimzi.io/v1beta1 KafkaTopic");
        assertThat(VALIDATOR.validate(wrongCore)).singleElement().asString().contains("no schema");
    }

    private static ObjectNode yaml(String text) {
        try {
            return (ObjectNode) YAML.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
