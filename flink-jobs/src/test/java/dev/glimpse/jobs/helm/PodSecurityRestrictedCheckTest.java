package dev.glimpse.jobs.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The restricted Pod Security Standard, rule by rule, on pods and on FlinkDeployment templates. */
class PodSecurityRestrictedCheckTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String RESTRICTED_POD =
            """
            securityContext:
              runAsNonRoot: true
              runAsUser: 9999
              runAsGroup: 9999
              fsGroup: 9999
              seccompProfile: {type: RuntimeDefault}
            initContainers:
              - name: init
                securityContext:
                  allowPrivilegeEscalation: false
                  capabilities: {drop: [ALL]}
            containers:
              - name: main
                securityContext:
                  allowPrivilegeEscalation: false
                  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
            volumes:
              - {name: config, configMap: {name: c}}
              - {name: model, emptyDir: {sizeLimit: 1Gi}}
            """;

    @Test
    void aRestrictedPodHasNoViolations() {
        assertThat(PodSecurityRestrictedCheck.podViolations(yaml(RESTRICTED_POD))).isEmpty();
    }

    @Test
    void aRootContainerIsReported() {
        ObjectNode pod = yaml(RESTRICTED_POD);
        ((ObjectNode) pod.path("containers").get(0).path("securityContext")).put("runAsUser", 0);

        assertThat(PodSecurityRestrictedCheck.podViolations(pod))
                .containsExactly("container main: runAsUser must not be 0 (root)");
    }

    @Test
    void runAsNonRootWithoutANumericUserIsReportedBecauseTheKubeletCannotVerifyIt() {
        ObjectNode pod = yaml(RESTRICTED_POD);
        ((ObjectNode) pod.path("securityContext")).remove("runAsUser");

        assertThat(PodSecurityRestrictedCheck.podViolations(pod))
                .hasSize(2)
                .allMatch(v -> v.contains("runAsUser must be set (a number)"));
    }

    @Test
    void anInitContainerThatKeepsItsCapabilitiesAndMayEscalateIsReported() {
        ObjectNode pod = yaml(RESTRICTED_POD);
        ((ObjectNode) pod.path("initContainers").get(0)).remove("securityContext");

        assertThat(PodSecurityRestrictedCheck.podViolations(pod))
                .containsExactly(
                        "container init: allowPrivilegeEscalation must be false",
                        "container init: capabilities.drop must contain ALL");
    }

    @Test
    void missingSeccompAndRunAsNonRootAreReportedPerContainer() {
        ObjectNode pod = yaml(RESTRICTED_POD);
        ((ObjectNode) pod.path("securityContext"))
                .remove(java.util.List.of("seccompProfile", "runAsNonRoot"));

        assertThat(PodSecurityRestrictedCheck.podViolations(pod))
                .hasSize(4)
                .anyMatch(v -> v.startsWith("container main: runAsNonRoot must be true"))
                .anyMatch(v -> v.startsWith("container init: seccompProfile.type must be"));
    }

    @Test
    void hostAccessPrivilegeAndExtraCapabilitiesAreReported() {
        ObjectNode pod = yaml(RESTRICTED_POD);
        pod.put("hostNetwork", true);
        pod.withArray("volumes")
                .addObject()
                .put("name", "host")
                .putObject("hostPath")
                .put("path", "/");
        ObjectNode main = (ObjectNode) pod.path("containers").get(0);
        ((ObjectNode) main.path("securityContext")).put("privileged", true);
        ((ObjectNode) main.path("securityContext").path("capabilities"))
                .withArray("add")
                .add("SYS_ADMIN");
        main.withArray("ports").addObject().put("containerPort", 80).put("hostPort", 80);

        assertThat(PodSecurityRestrictedCheck.podViolations(pod))
                .containsExactlyInAnyOrder(
                        "hostNetwork must be unset or false",
                        "volume host is of type hostPath",
                        "container main: hostPort 80 is not allowed",
                        "container main: privileged must be false",
                        "container main: capability SYS_ADMIN may not be added");
    }

    @Test
    void everyTemplateOfAFlinkDeploymentIsCheckedOnItsOwn() {
        JsonNode fd =
                yaml(
                        """
                        kind: FlinkDeployment
                        metadata: {name: fd}
                        spec:
                          podTemplate:
                            spec:
                              securityContext: {runAsNonRoot: true, runAsUser: 9999, seccompProfile: {type: RuntimeDefault}}
                              containers:
                                - name: flink-main-container
                                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                          taskManager:
                            podTemplate:
                              spec:
                                initContainers:
                                  - name: copy-model
                                    securityContext: {runAsUser: 0}
                        """);

        assertThat(PodSecurityRestrictedCheck.podSpecs(fd))
                .containsOnlyKeys(
                        "FlinkDeployment/fd spec.podTemplate",
                        "FlinkDeployment/fd spec.taskManager.podTemplate");
        assertThat(PodSecurityRestrictedCheck.violations(fd))
                .isNotEmpty()
                .allMatch(v -> v.startsWith("FlinkDeployment/fd spec.taskManager.podTemplate: "))
                .contains(
                        "FlinkDeployment/fd spec.taskManager.podTemplate: container copy-model:"
                                + " runAsUser must not be 0 (root)");
    }

    private static ObjectNode yaml(String text) {
        try {
            return (ObjectNode) YAML.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
