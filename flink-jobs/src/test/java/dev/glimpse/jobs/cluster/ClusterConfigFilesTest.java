package dev.glimpse.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigFilesTest {

    @TempDir Path work;

    @Test
    void taskManagerJvmOptionsAreWhatFlinksStartScriptsDeriveFromTheMemorySettings()
            throws Exception {
        ClusterConfigFiles files = ClusterConfigFiles.write(work, 8081, 6123, 2, Map.of());

        // framework heap 96m + task heap 384m; framework off-heap 64m + task off-heap 256m +
        // network 32m; metaspace 192m
        assertThat(files.taskManagerJvmOptions(work.resolve("tm.log")))
                .contains(
                        "-Xmx503316480",
                        "-Xms503316480",
                        "-XX:MaxDirectMemorySize=369098752",
                        "-XX:MaxMetaspaceSize=201326592",
                        "-Dlog.file=" + work.resolve("tm.log"),
                        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.glimpse.schemas,java.lang,java.util,java.math");
        assertThat(files.taskManagerArgs("tm-7"))
                .startsWith("--configDir", work.resolve("conf").toString())
                .contains("-Dtaskmanager.resource-id=tm-7")
                .anyMatch(a -> a.startsWith("-Dtaskmanager.memory.task.heap.size="));
    }

    @Test
    void flinkReadsBackTheWrittenConfigYamlWithOverridesAndQuotedValues() throws Exception {
        ClusterConfigFiles.write(
                work,
                8082,
                6124,
                1,
                Map.of("classloader.parent-first-patterns.additional", "ai.onnxruntime.;it's"));

        Configuration read = GlobalConfiguration.loadConfiguration(work.resolve("conf").toString());
        Map<String, String> m = read.toMap();
        assertThat(m)
                .containsEntry("rest.port", "8082")
                .containsEntry("jobmanager.rpc.port", "6124")
                .containsEntry("taskmanager.numberOfTaskSlots", "1")
                .containsEntry("rest.bind-address", "127.0.0.1")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry("web.exception-history-size", "256")
                .containsEntry(
                        "execution.checkpointing.dir",
                        work.resolve("checkpoints").toUri().toString())
                .containsEntry(
                        "classloader.parent-first-patterns.additional", "ai.onnxruntime.;it's");
        assertThat(Files.readString(work.resolve("conf/log4j.properties")))
                .contains("appender.main.fileName = ${sys:log.file}");
    }
}
