package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void theLocalDefaultsConstructAndDescribeTheirEngine() {
        EngineSettings s = EngineSettings.defaults("/opt/model");

        var config = s.engineConfig();
        assertThat(config.maxNumSeqs()).isEqualTo(16);
        assertThat(config.maxNumBatchedTokens()).isEqualTo(1024);
        assertThat(config.maxQueuedRequests()).isEqualTo(256);
        assertThat(config.numKvBlocks()).isEqualTo(2048);
        assertThat(config.prefixCaching()).isTrue();
        assertThat(config.encoderCacheBytes()).isEqualTo(64L << 20);
    }

    @Test
    void aBadBatchingValueIsRejectedOnConstructionByName() {
        assertThatThrownBy(() -> EngineSettings.defaults("/m").withBatching(16, 0, 256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxNumBatchedTokens must be > 0, got 0");
    }

    @Test
    void equalSettingsAreEqualSoThatOperatorsShareOneEngine() {
        assertThat(EngineSettings.defaults("/m").withCuda(true))
                .isEqualTo(EngineSettings.defaults("/m").withCuda(true))
                .isNotEqualTo(EngineSettings.defaults("/m"));
    }

    @Test
    void theMetricsPortMustBeOffAnyOrAPort() {
        assertThatThrownBy(() -> EngineSettings.defaults("/m").withMetrics(70000, "0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metricsPort must be -1 (off), 0 (any) or a port, was 70000");
    }
}
