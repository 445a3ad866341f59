package dev.glimpse.jobs.helm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks pod specs against the Kubernetes Pod Security Standard "restricted" (latest), the policy a
 * namespace labelled {@code pod-security.kubernetes.io/enforce: restricted} applies, plus the
 * kubelet's own check that a non-root user is verifiable.
 *
 * <p>Each pod template is checked on its own, as if it were the whole pod: the FlinkDeployment's
 * shared {@code spec.podTemplate} and the JobManager's and TaskManager's templates (the operator
 * merges them, so each must already be restricted), plus {@code spec.template.spec} of workload
 * kinds and {@code spec} of a Pod. Containers are the {@code containers}, {@code initContainers}
 * and {@code ephemeralContainers}.
 *
 * <p>Rules (pod-level settings count for every container unless a container overrides them):
 * hostNetwork/hostPID/hostIPC unset or false; no hostPath volume and only the volume types
 * restricted allows; no hostPort; not privileged; {@code allowPrivilegeEscalation: false}; {@code
 * capabilities.drop} holds ALL and {@code add} at most NET_BIND_SERVICE; {@code runAsNonRoot: true}
 * and no {@code runAsUser: 0}; seccomp RuntimeDefault or Localhost; no Unconfined AppArmor; no
 * custom SELinux user or role and only the
 * container_t/container_init_t/container_kvm_t/container_engine_t types; procMount Default; only
 * the safe sysctls. The kubelet refuses a {@code runAsNonRoot} container whose image user is a name
 * (the Flink image's is "flink"), so a numeric {@code runAsUser} is required too.
 *
 * <p>Stateless.
 */
final class PodSecurityRestrictedCheck {

    private static final Set<String> ALLOWED_VOLUMES =
            Set.of(
                    "configMap",
                    "csi",
                    "downwardAPI",
                    "emptyDir",
                    "ephemeral",
                    "persistentVolumeClaim",
                    "projected",
                    "secret");
    private static final Set<String> SAFE_SYSCTLS =
            Set.of(
                    "kernel.shm_rmid_forced",
                    "net.ipv4.ip_local_port_range",
                    "net.ipv4.ip_unprivileged_port_start",
                    "net.ipv4.tcp_syncookies",
                    "net.ipv4.ping_group_range",
                    "net.ipv4.ip_local_reserved_ports",
                    "net.ipv4.tcp_keepalive_time",
                    "net.ipv4.tcp_fin_timeout",
                    "net.ipv4.tcp_keepalive_intvl",
                    "net.ipv4.tcp_keepalive_probes");
    private static final Set<String> SELINUX_TYPES =
            Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

    private PodSecurityRestrictedCheck() {}

    /** The pod specs of one manifest, by a path that names them; empty for kinds without pods. */
    static Map<String, JsonNode> podSpecs(JsonNode manifest) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        String id =
                manifest.path("kind").asText()
                        + "/"
                        + manifest.path("metadata").path("name").asText();
        JsonNode spec = manifest.path("spec");
        switch (manifest.path("kind").asText()) {
            case "FlinkDeployment" -> {
                putIfPresent(out, id + " spec.podTemplate", spec.path("podTemplate").path("spec"));
                putIfPresent(
                        out,
                        id + " spec.jobManager.podTemplate",
                        spec.path("jobManager").path("podTemplate").path("spec"));
                putIfPresent(
                        out,
                        id + " spec.taskManager.podTemplate",
                        spec.path("taskManager").path("podTemplate").path("spec"));
            }
            case "Pod" -> putIfPresent(out, id + " spec", spec);
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" ->
                    putIfPresent(out, id + " spec.template", spec.path("template").path("spec"));
            case "CronJob" ->
                    putIfPresent(
                            out,
                            id + " spec.jobTemplate",
                            spec.path("jobTemplate").path("spec").path("template").path("spec"));
            default -> {}
        }
        return out;
    }

    /** Violations of every pod spec of {@code manifest}, each prefixed by where it is. */
    static List<String> violations(JsonNode manifest) {
        List<String> out = new ArrayList<>();
        podSpecs(manifest)
                .forEach(
                        (where, pod) -> podViolations(pod).forEach(v -> out.add(where + ": " + v)));
        return out;
    }

    /** Violations of one pod spec; empty when it meets "restricted". */
    static List<String> podViolations(JsonNode pod) {
        List<String> v = new ArrayList<>();
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (pod.path(host).asBoolean(false)) {
                v.add(host + " must be unset or false");
            }
        }
        for (JsonNode volume : pod.path("volumes")) {
            volume.fieldNames()
                    .forEachRemaining(
                            f -> {
                                if (!f.equals("name") && !ALLOWED_VOLUMES.contains(f)) {
                                    v.add(
                                            "volume "
                                                    + volume.path("name").asText()
                                                    + " is of type "
                                                    + f);
                                }
                            });
        }
        JsonNode podSc = pod.path("securityContext");
        for (JsonNode sysctl : podSc.path("sysctls")) {
            if (!SAFE_SYSCTLS.contains(sysctl.path("name").asText())) {
                v.add("sysctl " + sysctl.path("name").asText() + " is not a safe sysctl");
            }
        }
        checkCommon(podSc, "pod securityContext", v);
        List<JsonNode> containers = new ArrayList<>();
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            pod.path(list).forEach(containers::add);
        }
        if (containers.isEmpty()) {
            v.add("no containers: nothing to check");
        }
        for (JsonNode c : containers) {
            checkContainer(c, podSc, v);
        }
        return v;
    }

    private static void checkContainer(JsonNode c, JsonNode podSc, List<String> v) {
        String name = "container " + c.path("name").asText();
        JsonNode sc = c.path("securityContext");
        for (JsonNode port : c.path("ports")) {
            if (port.path("hostPort").asInt(0) != 0) {
                v.add(name + ": hostPort " + port.path("hostPort").asInt() + " is not allowed");
            }
        }
        checkCommon(sc, name, v);
        if (sc.path("privileged").asBoolean(false)) {
            v.add(name + ": privileged must be false");
        }
        if (!sc.path("allowPrivilegeEscalation").isBoolean()
                || sc.path("allowPrivilegeEscalation").asBoolean()) {
            v.add(name + ": allowPrivilegeEscalation must be false");
        }
        if (!sc.path("procMount").asText("Default").equals("Default")) {
            v.add(name + ": procMount must be Default");
        }
        boolean dropsAll = false;
        for (JsonNode d : sc.path("capabilities").path("drop")) {
            dropsAll |= d.asText().equals("ALL");
        }
        if (!dropsAll) {
            v.add(name + ": capabilities.drop must contain ALL");
        }
        for (JsonNode add : sc.path("capabilities").path("add")) {
            if (!add.asText().equals("NET_BIND_SERVICE")) {
                v.add(name + ": capability " + add.asText() + " may not be added");
            }
        }
        if (!effective(sc, podSc, "runAsNonRoot").asBoolean(false)) {
            v.add(name + ": runAsNonRoot must be true (in the container or the pod)");
        }
        JsonNode user = effective(sc, podSc, "runAsUser");
        if (!user.isIntegralNumber()) {
            v.add(
                    name
                            + ": runAsUser must be set (a number): the kubelet cannot verify runAsNonRoot"
                            + " against an image user given by name");
        }
        String seccomp = effective(sc, podSc, "seccompProfile").path("type").asText();
        if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
            v.add(
                    name
                            + ": seccompProfile.type must be RuntimeDefault or Localhost (in the container"
                            + " or the pod), is "
                            + (seccomp.isEmpty() ? "unset" : seccomp));
        }
    }

    /** Rules that hold for a pod's and a container's securityContext alike. */
    private static void checkCommon(JsonNode sc, String where, List<String> v) {
        if (sc.has("runAsUser") && sc.path("runAsUser").asLong() == 0) {
            v.add(where + ": runAsUser must not be 0 (root)");
        }
        if (sc.has("runAsNonRoot") && !sc.path("runAsNonRoot").asBoolean()) {
            v.add(where + ": runAsNonRoot must not be false");
        }
        if (sc.path("seccompProfile").path("type").asText().equals("Unconfined")) {
            v.add(where + ": seccompProfile.type must not be Unconfined");
        }
        if (sc.path("appArmorProfile").path("type").asText().equals("Unconfined")) {
            v.add(where + ": appArmorProfile.type must not be Unconfined");
        }
        JsonNode se = sc.path("seLinuxOptions");
        if (!SELINUX_TYPES.contains(se.path("type").asText(""))) {
            v.add(where + ": seLinuxOptions.type " + se.path("type").asText() + " is not allowed");
        }
        if (se.has("user") || se.has("role")) {
            v.add(where + ": seLinuxOptions.user and .role must be unset");
        }
    }

    private static JsonNode effective(JsonNode containerSc, JsonNode podSc, String field) {
        return containerSc.has(field) ? containerSc.path(field) : podSc.path(field);
    }

    private static void putIfPresent(Map<String, JsonNode> out, String where, JsonNode pod) {
        if (!pod.isMissingNode()) {
            out.put(where, pod);
        }
    }
}
