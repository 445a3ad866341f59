package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.model.ExecutorOptions;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void aBuilderStartsFromTheEnginesOwnDefaultsWithoutAnEndpoint() {
        EngineSettings s = EngineSettings.builder("/opt/model").build();

        assertThat(s.engineConfig()).isEqualTo(EngineConfig.builder().build());
        assertThat(s.executorOptions(-1)).isEqualTo(ExecutorOptions.cpu());
        assertThat(s.metricsPort()).isEqualTo(-1);
        assertThat(s.metricsHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void namedSettersSetTheFieldsOfTheSameName() {
        EngineSettings s =
                EngineSettings.builder("/opt/model")
                        .maxNumSeqs(16)
                        .maxNumBatchedTokens(1024)
                        .maxQueuedRequests(100)
                        .maxImagesPerVisionRun(4)
                        .numKvBlocks(2048)
                        .prefixCaching(false)
                        .encoderCacheBytes(0)
                        .tryCuda(true)
                        .intraOpThreads(3)
                        .metricsPort(9250)
                        .metricsHost("0.0.0.0")
                        .decoderStyle(KvStyle.CONCAT)
                        .build();

        var config = s.engineConfig();
        assertThat(config.maxNumSeqs()).isEqualTo(16);
        assertThat(config.maxNumBatchedTokens()).isEqualTo(1024);
        assertThat(config.maxQueuedRequests()).isEqualTo(100);
        assertThat(config.maxImagesPerVisionRun()).isEqualTo(4);
        assertThat(config.numKvBlocks()).isEqualTo(2048);
        assertThat(config.prefixCaching()).isFalse();
        assertThat(config.encoderCacheBytes()).isZero();
        assertThat(s.executorOptions(-1))
                .isEqualTo(new ExecutorOptions(true, 0, 3, KvStyle.CONCAT));
        assertThat(s.metricsPort()).isEqualTo(9250);
        assertThat(s.metricsHost()).isEqualTo("0.0.0.0");
        assertThat(s.toBuilder().build()).isEqualTo(s);
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
                .isNotEqualTo(settings(16, 1024, false, -1));
    }

    @Test
    void theMetricsPortMustBeOffAnyOrAPort() {
        assertThatThrownBy(() -> settings(16, 1024, false, 70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metricsPort must be -1 (off), 0 (any) or a port, was 70000");
    }

    @Test
    void theModelDirectoryAndTheMetricsHostMustBeSet() {
        assertThatThrownBy(() -> EngineSettings.builder(" ").build())
                .hasMessage("modelDir must be set");
        assertThatThrownBy(() -> EngineSettings.builder("/m").metricsHost("").build())
                .hasMessage("metricsHost must be set");
    }

    /** Model "/m" with the given batching, provider and metrics port. */
    private static EngineSettings settings(int seqs, int tokens, boolean cuda, int metricsPort) {
        return EngineSettings.builder("/m")
                .maxNumSeqs(seqs)
                .maxNumBatchedTokens(tokens)
                .tryCuda(cuda)
                .metricsPort(metricsPort)
                .build();
    }
}
