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
        assertThatThrownBy(() -> settings(16, 0, false, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxNumBatchedTokens must be > 0, got 0");
    }

    @Test
    void equalSettingsAreEqualSoThatOperatorsShareOneEngine() {
        assertThat(settings(16, 1024, true, -1))
                .isEqualTo(settings(16, 1024, true, -1))
                .isNotEqualTo(EngineSettings.defaults("/m"));
    }

    @Test
    void theMetricsPortMustBeOffAnyOrAPort() {
        assertThatThrownBy(() -> settings(16, 1024, false, 70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metricsPort must be -1 (off), 0 (any) or a port, was 70000");
    }

    /** The local defaults of model "/m" with the given batching, provider and metrics port. */
    private static EngineSettings settings(int seqs, int tokens, boolean cuda, int metricsPort) {
        return new EngineSettings(
                "/m",
                seqs,
                tokens,
                256,
                8,
                2048,
                true,
                64L << 20,
                cuda,
                1,
                metricsPort,
                "127.0.0.1",
                null);
    }
}
