package dev.glimpse.jobs.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders helm/glimpse with the embedded Helm of helm-java and asserts the manifests that matter:
 * the FlinkDeployment (GPU TaskManagers, external-resource config, job arguments, model volume,
 * Kafka secrets, Prometheus reporter), the pipeline config, the Strimzi topics, the PodMonitor and
 * the dashboard.
 */
class HelmChartTest {

    private static final Path CHART =
            Path.of(System.getProperty("basedir", "."), "..", "helm", "glimpse")
                    .toAbsolutePath()
                    .normalize();
    private static final String RELEASE = "demo";
    private static final String NAMESPACE = "vision";
    private static final String FULLNAME = "demo-glimpse";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @Test
    void chartLintsCleanInStrictMode() {
        LintResult result = new Helm(CHART).lint().strict().call();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages())
                .noneMatch(
                        m ->
                                m.contains("[ERROR]")
                                        || m.contains("[WARNING]")
                                        || m.contains("[INFO]"));
    }

    @Test
    void defaultValuesRenderOneFlinkDeploymentInApplicationModeWithSavepointUpgrades() {
        Manifests m = render();

        assertThat(m.kinds())
                .containsExactlyInAnyOrder(
                        "FlinkDeployment", "ConfigMap", "ConfigMap", "NetworkPolicy");
        JsonNode fd = m.one("FlinkDeployment", FULLNAME).path("spec");
        assertThat(fd.path("image").asText()).isEqualTo("glimpse/glimpse-job:0.1.0");
        assertThat(fd.path("mode").asText()).isEqualTo("native");
        assertThat(fd.path("serviceAccount").asText()).isEqualTo("flink");
        JsonNode job = fd.path("job");
        assertThat(job.path("jarURI").asText())
                .isEqualTo("local:///opt/flink/usrlib/glimpse-job.jar");
        assertThat(job.path("entryClass").asText()).isEqualTo("dev.glimpse.jobs.VisionAnalysisJob");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.path("state").asText()).isEqualTo("running");
        assertThat(job.path("parallelism").asInt()).isEqualTo(2);

        JsonNode conf = fd.path("flinkConfiguration");
        assertThat(conf.path("execution.checkpointing.savepoint-dir").asText())
                .isEqualTo("s3://glimpse-flink-state/savepoints");
        assertThat(conf.path("state.savepoints.dir").asText())
                .isEqualTo("s3://glimpse-flink-state/savepoints");
        assertThat(conf.path("execution.checkpointing.dir").asText())
                .isEqualTo("s3://glimpse-flink-state/checkpoints");
        assertThat(conf.path("execution.checkpointing.interval").asText()).isEqualTo("60s");
        assertThat(conf.path("env.java.opts.all").asText())
                .isEqualTo(
                        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.glimpse.schemas"
                                + " -Donnxruntime.native.path=/opt/glimpse/onnxruntime/lib"
                                + " -Dai.djl.offline=true");
        assertThat(conf.path("classloader.parent-first-patterns.additional").asText())
                .isEqualTo("ai.onnxruntime.");
        assertThat(conf.has("external-resources")).isFalse();
        assertThat(fd.path("taskManager").toString()).doesNotContain("nvidia.com/gpu");
        assertThat(m.glimpseConfig().path("engine").path("executionProvider").asText())
                .isEqualTo("CPU");
    }

    @Test
    void everyFlinkConfigurationValueIsAString() {
        for (String values : List.of("", "ci/values-gpu.yaml", "ci/values-kafka-sasl-tls.yaml")) {
            JsonNode conf =
                    render(values)
                            .one("FlinkDeployment", FULLNAME)
                            .path("spec")
                            .path("flinkConfiguration");
            conf.fields()
                    .forEachRemaining(
                            e -> assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue());
        }
    }

    @Test
    void gpuValuesRequestNvidiaGpuOnTaskManagers() {
        JsonNode fd = render("ci/values-gpu.yaml").one("FlinkDeployment", FULLNAME).path("spec");

        JsonNode tmPod = fd.path("taskManager").path("podTemplate").path("spec");
        JsonNode main = tmPod.path("containers").get(0);
        assertThat(main.path("name").asText()).isEqualTo("flink-main-container");
        assertThat(main.path("resources").path("limits").path("nvidia.com/gpu").asInt())
                .isEqualTo(1);
        assertThat(main.path("resources").path("requests").path("nvidia.com/gpu").asInt())
                .isEqualTo(1);
        assertThat(tmPod.path("nodeSelector").path("nvidia.com/gpu.present").asText())
                .isEqualTo("true");
        assertThat(tmPod.path("tolerations").get(0).path("key").asText())
                .isEqualTo("nvidia.com/gpu");
        assertThat(tmPod.path("tolerations").get(0).path("effect").asText())
                .isEqualTo("NoSchedule");
        // The JobManager runs no inference: no GPU, no GPU node placement.
        assertThat(fd.path("jobManager").path("podTemplate").toString())
                .doesNotContain("nvidia.com/gpu", "nodeSelector", "tolerations");
        assertThat(fd.path("podTemplate").toString()).doesNotContain("nvidia.com/gpu");
    }

    @Test
    void gpuValuesConfigureFlinksGpuExternalResource() {
        Manifests m = render("ci/values-gpu.yaml");
        JsonNode conf = m.one("FlinkDeployment", FULLNAME).path("spec").path("flinkConfiguration");

        assertThat(conf.path("external-resources").asText()).isEqualTo("gpu");
        assertThat(conf.path("external-resource.gpu.amount").asText()).isEqualTo("1");
        assertThat(conf.path("external-resource.gpu.driver-factory.class").asText())
                .isEqualTo("org.apache.flink.externalresource.gpu.GPUDriverFactory");
        assertThat(conf.path("external-resource.gpu.param.discovery-script.path").asText())
                .isEqualTo("/opt/flink/plugins/external-resource-gpu/nvidia-gpu-discovery.sh");
        assertThat(conf.path("external-resource.gpu.kubernetes.config-key").asText())
                .isEqualTo("nvidia.com/gpu");
        assertThat(conf.path("taskmanager.memory.jvm-overhead.fraction").asText()).isEqualTo("0.3");
        assertThat(conf.path("taskmanager.memory.jvm-overhead.max").asText()).isEqualTo("8g");
        assertThat(conf.path("taskmanager.memory.task.off-heap.size").asText()).isEqualTo("2g");
        assertThat(m.glimpseConfig().path("engine").path("executionProvider").asText())
                .isEqualTo("CUDA");
    }

    @Test
    void gpuValuesCopyTheModelFromTheModelImageIntoAnEmptyDir() {
        JsonNode fd = render("ci/values-gpu.yaml").one("FlinkDeployment", FULLNAME).path("spec");
        JsonNode pod = fd.path("taskManager").path("podTemplate").path("spec");

        JsonNode init = pod.path("initContainers").get(0);
        assertThat(init.path("name").asText()).isEqualTo("copy-model");
        assertThat(init.path("image").asText())
                .isEqualTo("registry.example.com/glimpse/models:minicpmv-2.6-int8");
        assertThat(env(init))
                .containsEntry("MODEL_SRC", "/models/minicpmv-2.6")
                .containsEntry("MODEL_DST", "/opt/glimpse/model");
        assertThat(init.path("volumeMounts").get(0).path("mountPath").asText())
                .isEqualTo("/opt/glimpse/model");
        assertThat(volume(pod, "model").path("emptyDir").path("sizeLimit").asText())
                .isEqualTo("20Gi");
        JsonNode mount = mount(pod.path("containers").get(0), "model");
        assertThat(mount.path("mountPath").asText()).isEqualTo("/opt/glimpse/model");
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(arg(fd, "--model-dir")).isEqualTo("/opt/glimpse/model");
    }

    @Test
    void defaultValuesCopyTheBundledModelFromTheJobImage() {
        JsonNode pod =
                render().one("FlinkDeployment", FULLNAME)
                        .path("spec")
                        .path("taskManager")
                        .path("podTemplate")
                        .path("spec");

        JsonNode init = pod.path("initContainers").get(0);
        assertThat(init.path("image").asText()).isEqualTo("glimpse/glimpse-job:0.1.0");
        assertThat(env(init)).containsEntry("MODEL_SRC", "/opt/glimpse/models/glimpse-tiny");
    }

    @Test
    void cpuValuesPassKafkaTopicsAndModelDirAsJobArguments() {
        JsonNode fd = render("ci/values-cpu.yaml").one("FlinkDeployment", FULLNAME).path("spec");

        assertThat(texts(fd.path("job").path("args")))
                .containsExactly(
                        "--config", "/opt/glimpse/conf/glimpse.yaml",
                        "--bootstrap-servers", "kafka-a.kafka:9092,kafka-b.kafka:9092",
                        "--security-protocol", "PLAINTEXT",
                        "--images-topic", "cam.images",
                        "--results-topic", "cam.results",
                        "--dlq-topic", "cam.dlq",
                        "--model-dir", "/opt/glimpse/model",
                        "--checkpoint-interval", "30s",
                        "--parallelism", "4");
        assertThat(fd.path("image").asText())
                .isEqualTo("registry.example.com/glimpse/glimpse-job:0.1.0-cpu");
        assertThat(fd.path("flinkConfiguration").has("external-resources")).isFalse();
        assertThat(fd.path("flinkConfiguration").path("taskmanager.numberOfTaskSlots").asText())
                .isEqualTo("4");
        assertThat(fd.path("taskManager").toString()).doesNotContain("nvidia.com/gpu");
    }

    @Test
    void cpuValuesMountTheModelPvcReadOnly() {
        JsonNode pod =
                render("ci/values-cpu.yaml")
                        .one("FlinkDeployment", FULLNAME)
                        .path("spec")
                        .path("taskManager")
                        .path("podTemplate")
                        .path("spec");

        JsonNode claim = volume(pod, "model").path("persistentVolumeClaim");
        assertThat(claim.path("claimName").asText()).isEqualTo("glimpse-models");
        assertThat(claim.path("readOnly").asBoolean()).isTrue();
        JsonNode mount = mount(pod.path("containers").get(0), "model");
        assertThat(mount.path("mountPath").asText()).isEqualTo("/opt/glimpse/model");
        assertThat(mount.path("subPath").asText()).isEqualTo("glimpse-tiny");
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(pod.has("initContainers")).isFalse();
    }

    @Test
    void pipelineConfigIsMountedAndHoldsTopicsModelDirSlicingAndBatching() {
        Manifests m = render("ci/values-cpu.yaml");
        JsonNode pod =
                m.one("FlinkDeployment", FULLNAME)
                        .path("spec")
                        .path("jobManager")
                        .path("podTemplate")
                        .path("spec");

        assertThat(volume(pod, "glimpse-config").path("configMap").path("name").asText())
                .isEqualTo(FULLNAME + "-config");
        assertThat(
                        mount(pod.path("containers").get(0), "glimpse-config")
                                .path("mountPath")
                                .asText())
                .isEqualTo("/opt/glimpse/conf");
        JsonNode config = m.glimpseConfig();
        assertThat(config.path("kafka").path("bootstrapServers").asText())
                .isEqualTo("kafka-a.kafka:9092,kafka-b.kafka:9092");
        assertThat(config.path("kafka").path("topics").path("images").asText())
                .isEqualTo("cam.images");
        assertThat(config.path("kafka").path("topics").path("results").asText())
                .isEqualTo("cam.results");
        assertThat(config.path("kafka").path("topics").path("dlq").asText()).isEqualTo("cam.dlq");
        assertThat(config.path("kafka").path("properties").path("security.protocol").asText())
                .isEqualTo("PLAINTEXT");
        assertThat(config.path("model").path("dir").asText()).isEqualTo("/opt/glimpse/model");
        assertThat(config.path("tasks").path("caption").path("maxSlices").asInt()).isEqualTo(4);
        assertThat(config.path("tasks").path("caption").path("prompt").asText()).isEmpty();
        assertThat(config.path("tasks").path("ocr").path("maxSlices").asInt()).isEqualTo(9);
        assertThat(config.path("tasks").path("moderation").path("maxSlices").asInt()).isEqualTo(4);
        assertThat(config.path("engine").path("maxNumSeqs").asInt()).isEqualTo(16);
        assertThat(config.path("engine").path("maxNumBatchedTokens").asInt()).isEqualTo(2048);
        assertThat(config.path("engine").path("maxQueuedRequests").asInt()).isEqualTo(256);
        assertThat(config.path("engine").path("metrics").path("port").asInt()).isEqualTo(9250);
        assertThat(config.path("engine").path("metrics").path("host").asText())
                .isEqualTo("0.0.0.0");
        assertThat(config.path("engine").path("maxImagesPerVisionRun").asInt()).isEqualTo(8);
        assertThat(config.path("images").path("allowedUris").asText()).isEmpty();
        assertThat(config.path("images").path("fetch").path("timeout").asText()).isEqualTo("10 s");
    }

    @Test
    void changingThePipelineConfigChangesThePodTemplateSoTheOperatorUpgradesTheJob() {
        String before = configChecksum(template().call());
        String after = configChecksum(template().set("pipeline.engine.maxNumSeqs", 32).call());

        assertThat(before).hasSize(64).isNotEqualTo(after);
        assertThat(configChecksum(template().call())).isEqualTo(before);
    }

    private static String configChecksum(String yaml) {
        return Manifests.parse(yaml)
                .one("FlinkDeployment", FULLNAME)
                .path("spec")
                .path("podTemplate")
                .path("metadata")
                .path("annotations")
                .path("glimpse.dev/config-checksum")
                .asText();
    }

    @Test
    void prometheusReporterListensOn9249AndThePodMonitorScrapesIt() {
        Manifests m = render("ci/values-cpu.yaml");
        JsonNode fd = m.one("FlinkDeployment", FULLNAME).path("spec");

        JsonNode conf = fd.path("flinkConfiguration");
        assertThat(conf.path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(conf.path("metrics.reporter.prom.port").asText()).isEqualTo("9249");
        JsonNode shared = fd.path("podTemplate").path("spec").path("containers").get(0);
        assertThat(texts(shared.path("ports"), "name")).containsExactly("metrics");
        assertThat(shared.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9249);
        // Only TaskManagers run an engine, so only they declare its port.
        JsonNode tm =
                fd.path("taskManager").path("podTemplate").path("spec").path("containers").get(0);
        assertThat(tm.path("name").asText()).isEqualTo("flink-main-container");
        assertThat(texts(tm.path("ports"), "name")).containsExactly("metrics", "engine-metrics");
        assertThat(texts(tm.path("ports"), "containerPort")).containsExactly("9249", "9250");

        JsonNode pm = m.one("PodMonitor", FULLNAME);
        assertThat(pm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(pm.path("metadata").path("labels").path("release").asText())
                .isEqualTo("kube-prometheus-stack");
        JsonNode spec = pm.path("spec");
        assertThat(texts(spec.path("podMetricsEndpoints"), "port"))
                .containsExactly("metrics", "engine-metrics");
        assertThat(texts(spec.path("namespaceSelector").path("matchNames")))
                .containsExactly(NAMESPACE);
        // The PodMonitor selects what the pod template labels the Flink pods with.
        JsonNode podLabels = fd.path("podTemplate").path("metadata").path("labels");
        spec.path("selector")
                .path("matchLabels")
                .fields()
                .forEachRemaining(
                        e ->
                                assertThat(podLabels.path(e.getKey()).asText())
                                        .isEqualTo(e.getValue().asText()));
        assertThat(
                        spec.path("selector")
                                .path("matchLabels")
                                .path("app.kubernetes.io/instance")
                                .asText())
                .isEqualTo(RELEASE);
    }

    @Test
    void cpuValuesCreateStrimziTopicsForImagesResultsAndDeadLetters() {
        List<JsonNode> topics = render("ci/values-cpu.yaml").all("KafkaTopic");

        assertThat(topics).hasSize(3);
        assertThat(topics)
                .allSatisfy(
                        t -> {
                            assertThat(t.path("apiVersion").asText())
                                    .isEqualTo("kafka.strimzi.io/v1");
                            assertThat(
                                            t.path("metadata")
                                                    .path("labels")
                                                    .path("strimzi.io/cluster")
                                                    .asText())
                                    .isEqualTo("glimpse-kafka");
                        });
        assertThat(topics.stream().map(t -> t.path("metadata").path("name").asText()))
                .containsExactly(FULLNAME + "-images", FULLNAME + "-results", FULLNAME + "-dlq");
        assertThat(topics.stream().map(t -> t.path("spec").path("topicName").asText()))
                .containsExactly("cam.images", "cam.results", "cam.dlq");
        JsonNode images = topics.get(0).path("spec");
        assertThat(images.path("partitions").asInt()).isEqualTo(12);
        assertThat(images.path("replicas").asInt()).isEqualTo(3);
        assertThat(images.path("config").path("retention.ms").asLong()).isEqualTo(86_400_000L);
        assertThat(images.path("config").path("max.message.bytes").asText()).isEqualTo("8388608");
        JsonNode dlq = topics.get(2).path("spec");
        assertThat(dlq.path("partitions").asInt()).isEqualTo(3);
        assertThat(dlq.path("config").path("retention.ms").asLong()).isEqualTo(1_209_600_000L);
    }

    @Test
    void kafkaSaslTlsValuesMountTheSecretsAndSetTheSecurityProtocol() {
        Manifests m = render("ci/values-kafka-sasl-tls.yaml");
        JsonNode fd = m.one("FlinkDeployment", FULLNAME).path("spec");
        JsonNode pod = fd.path("taskManager").path("podTemplate").path("spec");

        assertThat(volume(pod, "kafka-sasl").path("secret").path("secretName").asText())
                .isEqualTo("glimpse-kafka-user");
        assertThat(volume(pod, "kafka-truststore").path("secret").path("secretName").asText())
                .isEqualTo("glimpse-kafka-cluster-ca-cert");
        JsonNode main = pod.path("containers").get(0);
        assertThat(mount(main, "kafka-sasl").path("mountPath").asText())
                .isEqualTo("/opt/glimpse/secrets/kafka-sasl");
        assertThat(mount(main, "kafka-truststore").path("mountPath").asText())
                .isEqualTo("/opt/glimpse/secrets/kafka-truststore");
        assertThat(arg(fd, "--bootstrap-servers"))
                .isEqualTo("glimpse-kafka-kafka-bootstrap.kafka:9093");
        assertThat(arg(fd, "--security-protocol")).isEqualTo("SASL_SSL");
        assertThat(arg(fd, "--sasl-mechanism")).isEqualTo("SCRAM-SHA-512");

        JsonNode props = m.glimpseConfig().path("kafka").path("properties");
        assertThat(YAML.convertValue(props, Map.class))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "security.protocol", "SASL_SSL",
                                "sasl.mechanism", "SCRAM-SHA-512",
                                "config.providers", "glimpsesecrets",
                                "config.providers.glimpsesecrets.class",
                                        "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                                "sasl.jaas.config",
                                        "${glimpsesecrets:/opt/glimpse/secrets/kafka-sasl:sasl.jaas.config}",
                                "ssl.truststore.location",
                                        "/opt/glimpse/secrets/kafka-truststore/ca.p12",
                                "ssl.truststore.type", "PKCS12",
                                "ssl.truststore.password",
                                        "${glimpsesecrets:/opt/glimpse/secrets/kafka-truststore:ca.password}",
                                "client.dns.lookup", "use_all_dns_ips"));
        assertThat(fd.path("flinkConfiguration").path("env.java.opts.all").asText())
                .contains(
                        "-Dorg.apache.kafka.automatic.config.providers="
                                + "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    }

    @Test
    void plaintextKafkaMountsNoSecrets() {
        JsonNode fd = render().one("FlinkDeployment", FULLNAME).path("spec");

        assertThat(fd.toString()).doesNotContain("kafka-sasl", "kafka-truststore");
        assertThat(texts(fd.path("job").path("args"))).doesNotContain("--sasl-mechanism");
        assertThat(fd.path("flinkConfiguration").path("env.java.opts.all").asText())
                .doesNotContain("automatic.config.providers");
    }

    @Test
    void grafanaDashboardIsLabelledForTheSidecarAndQueriesEngineAndPipelineMetrics()
            throws IOException {
        JsonNode cm = render().one("ConfigMap", FULLNAME + "-dashboard");

        assertThat(cm.path("metadata").path("labels").path("grafana_dashboard").asText())
                .isEqualTo("1");
        JsonNode dashboard = JSON.readTree(cm.path("data").path("glimpse.json").asText());
        assertThat(dashboard.path("uid").asText()).isEqualTo("glimpse-overview");
        String queries =
                dashboard.findValues("expr").stream()
                        .map(JsonNode::asText)
                        .collect(Collectors.joining("\n"));
        assertThat(queries)
                .contains(
                        "glimpse_engine_sequences_waiting",
                        "glimpse_engine_sequences_running",
                        "glimpse_engine_batch_size_bucket",
                        "glimpse_engine_generated_tokens_total",
                        "glimpse_engine_time_to_first_token_seconds_bucket",
                        "glimpse_engine_time_per_output_token_seconds_bucket",
                        "glimpse_engine_kv_usage_ratio",
                        "glimpse_engine_prefix_cache_hits_total",
                        "glimpse_engine_prefix_cache_queries_total",
                        "glimpse_engine_encoder_cache_hits_total",
                        "glimpse_engine_encoder_cache_queries_total",
                        "glimpse_engine_rejections_total",
                        "glimpse_engine_errors_total",
                        "glimpse_engine_execution_provider_info",
                        "glimpse_engine_decoder_info",
                        "flink_taskmanager_job_task_operator_glimpse_pipeline_end_to_end_latency_ms",
                        "flink_taskmanager_job_task_operator_glimpse_pipeline_reason_dead_letters",
                        "flink_taskmanager_job_task_operator_glimpse_pipeline_reason_frames_skipped",
                        "flink_taskmanager_job_task_numRecordsInPerSecond",
                        "flink_jobmanager_job_lastCheckpointDuration",
                        "flink_taskmanager_job_task_backPressuredTimeMsPerSecond");
    }

    @Test
    void gpuCountThatIsNotANumberFailsNamingTheValue() throws IOException {
        Path values = values("gpu:\n  enabled: true\n  count: lots\n");

        assertRenderFails(template().withValuesFile(values))
                .hasMessageContaining("at '/gpu/count': got string, want integer");
    }

    @Test
    void missingBootstrapServersFailsNamingTheValue() throws IOException {
        Path values = values("kafka:\n  bootstrapServers: \"\"\n");

        assertRenderFails(template().withValuesFile(values))
                .hasMessageContaining(
                        "kafka.bootstrapServers is required: the comma-separated host:port list of the"
                                + " Kafka brokers");
    }

    @Test
    void saslWithoutMechanismFailsNamingTheValue() throws IOException {
        Path values =
                values(
                        "kafka:\n  securityProtocol: SASL_SSL\n"
                                + "  sasl:\n    jaasSecret:\n      name: user\n");

        assertRenderFails(template().withValuesFile(values))
                .hasMessageContaining(
                        "kafka.sasl.mechanism is required when kafka.securityProtocol is SASL_SSL");
    }

    @Test
    void unknownSecurityProtocolIsRejectedBySchema() throws IOException {
        Path values = values("kafka:\n  securityProtocol: TLS\n");

        assertRenderFails(template().withValuesFile(values))
                .hasMessageContaining(
                        "at '/kafka/securityProtocol': value must be one of 'PLAINTEXT', 'SSL',"
                                + " 'SASL_PLAINTEXT', 'SASL_SSL'");
    }

    @Test
    void lastStateUpgradesWithoutHighAvailabilityFail() {
        assertRenderFails(template().set("job.upgradeMode", "last-state"))
                .hasMessageContaining(
                        "job.upgradeMode \"last-state\" needs flink.highAvailability.enabled");
    }

    @Test
    void highAvailabilityUsesKubernetesHaWithTheGivenStorageDir() {
        JsonNode conf =
                Manifests.parse(
                                template()
                                        .set("flink.highAvailability.enabled", true)
                                        .set("flink.highAvailability.storageDir", "s3://ha/glimpse")
                                        .set("job.upgradeMode", "last-state")
                                        .call())
                        .one("FlinkDeployment", FULLNAME)
                        .path("spec")
                        .path("flinkConfiguration");

        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(conf.path("high-availability.storageDir").asText()).isEqualTo("s3://ha/glimpse");
    }

    @Test
    void pvcModelWithoutClaimFailsNamingTheValue() {
        assertRenderFails(template().set("model.source", "pvc"))
                .hasMessageContaining(
                        "model.pvc.claimName is required when model.source is \"pvc\"");
    }

    @Test
    void latestImageTagIsRefused() {
        assertRenderFails(template().set("image.tag", "latest"))
                .hasMessageContaining("image.tag must not be \"latest\"");
    }

    @Test
    void chartReadmeDocumentsEveryValue() throws IOException {
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        String readme = Files.readString(CHART.resolve("README.md"));

        List<String> keys = new ArrayList<>();
        leafKeys("", values, keys);
        assertThat(keys).hasSizeGreaterThan(60);
        assertThat(keys).allSatisfy(k -> assertThat(readme).contains("| `" + k + "` |"));
    }

    // ---------------------------------------------------------------------------------------------

    private static void leafKeys(String prefix, JsonNode node, List<String> out) {
        if (node.isObject() && node.size() > 0 && !isFreeFormMap(prefix)) {
            node.fields()
                    .forEachRemaining(
                            e ->
                                    leafKeys(
                                            prefix.isEmpty()
                                                    ? e.getKey()
                                                    : prefix + "." + e.getKey(),
                                            e.getValue(),
                                            out));
        } else {
            out.add(prefix);
        }
    }

    /** Maps whose keys are data (Kafka topic configs, labels), documented as one value. */
    private static boolean isFreeFormMap(String key) {
        return key.endsWith(".config")
                || key.endsWith("labels")
                || key.equals("pipeline.tasks")
                || key.endsWith("Selector")
                || key.endsWith("ecurityContext")
                || key.endsWith(".resources");
    }

    /** Helm reports schema violations and template failures as IllegalStateException. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertRenderFails(
            TemplateCommand command) {
        return assertThatThrownBy(command::call).isInstanceOf(IllegalStateException.class);
    }

    private TemplateCommand template() {
        return new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    }

    private Path values(String yaml) throws IOException {
        Path file = Files.createTempFile(tmp, "values", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private Manifests render(String... valuesFiles) {
        TemplateCommand command = template();
        for (String file : valuesFiles) {
            if (!file.isEmpty()) {
                command = command.withValuesFile(CHART.resolve(file));
            }
        }
        return Manifests.parse(command.call());
    }

    private static String arg(JsonNode flinkDeploymentSpec, String flag) {
        List<String> args = texts(flinkDeploymentSpec.path("job").path("args"));
        int i = args.indexOf(flag);
        assertThat(i).as("job argument %s in %s", flag, args).isNotNegative();
        return args.get(i + 1);
    }

    private static JsonNode volume(JsonNode podSpec, String name) {
        return named(podSpec.path("volumes"), name);
    }

    private static JsonNode mount(JsonNode container, String name) {
        return named(container.path("volumeMounts"), name);
    }

    private static JsonNode named(JsonNode list, String name) {
        return StreamSupport.stream(list.spliterator(), false)
                .filter(n -> n.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no entry named " + name + " in " + list));
    }

    private static Map<String, String> env(JsonNode container) {
        return StreamSupport.stream(container.path("env").spliterator(), false)
                .collect(
                        Collectors.toMap(
                                e -> e.path("name").asText(), e -> e.path("value").asText()));
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(n -> n.path(field).asText())
                .toList();
    }

    /** The documents of one `helm template` output. */
    private record Manifests(List<JsonNode> documents) {

        static Manifests parse(String yaml) {
            try {
                List<JsonNode> docs =
                        YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll().stream()
                                .filter(d -> d != null && d.isObject() && d.has("kind"))
                                .toList();
                return new Manifests(docs);
            } catch (IOException e) {
                throw new AssertionError("rendered manifests are not YAML:\n" + yaml, e);
            }
        }

        List<String> kinds() {
            return documents.stream().map(d -> d.path("kind").asText()).toList();
        }

        List<JsonNode> all(String kind) {
            return documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        }

        JsonNode one(String kind, String name) {
            List<JsonNode> found =
                    all(kind).stream()
                            .filter(d -> d.path("metadata").path("name").asText().equals(name))
                            .toList();
            assertThat(found).as("%s %s in %s", kind, name, kinds()).hasSize(1);
            return found.get(0);
        }

        JsonNode glimpseConfig() {
            try {
                return YAML.readTree(
                        one("ConfigMap", FULLNAME + "-config")
                                .path("data")
                                .path("glimpse.yaml")
                                .asText());
            } catch (IOException e) {
                throw new AssertionError("glimpse.yaml is not YAML", e);
            }
        }
    }
}
