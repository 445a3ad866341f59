package dev.glimpse.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** How the job configures the environment it is built on (no cluster, no broker contacted). */
class VisionAnalysisJobTest {

    private static StreamExecutionEnvironment built(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrapServers", "127.0.0.1:9");
        settings.put("model.dir", "/models/glimpse-tiny");
        settings.put("pipeline.checkpointInterval", "3 s");
        settings.putAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new VisionAnalysisJob(GlimpseJobConfig.from(ConfigSource.of(settings))).buildOnKafka(env);
        return env;
    }

    @Test
    void aCheckpointDirSelectsFileStorageThere() {
        StreamExecutionEnvironment env =
                built(Map.of("pipeline.checkpointDir", "file:///tmp/glimpse-checkpoints"));

        assertThat(env.getCheckpointInterval()).isEqualTo(3_000L);
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE))
                .isEqualTo("filesystem");
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///tmp/glimpse-checkpoints");
    }

    @Test
    void withoutACheckpointDirTheClustersStorageApplies() {
        StreamExecutionEnvironment env = built(Map.of());

        assertThat(env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINT_STORAGE))
                .isEmpty();
        assertThat(env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEmpty();
    }
}
