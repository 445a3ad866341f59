package dev.glimpse.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

class LoopbackClusterConfigTest {

    @Test
    void everyListenerBindsAndAdvertisesLoopback() {
        Configuration conf = LoopbackClusterConfig.create(8081);

        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(RestOptions.ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(RestOptions.BIND_PORT)).isEqualTo("8081");
        assertThat(conf.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(JobManagerOptions.ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(TaskManagerOptions.HOST)).isEqualTo("127.0.0.1");
    }

    @Test
    void defaultRestPortIsAnyFreePort() {
        assertThat(LoopbackClusterConfig.create().get(RestOptions.BIND_PORT)).isEqualTo("0");
    }

    @Test
    void invalidRestPortIsRejectedWithItsValue() {
        assertThatThrownBy(() -> LoopbackClusterConfig.create(70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("restPort must be 0..65535, was 70000");
    }
}
