package dev.glimpse.serving.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EngineMetricsTest {
    @Test
    void everyDocumentedMetricIsExposedOnTheGivenRegistry() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        EngineMetrics m = new EngineMetrics(registry, "cpu", "gqa");
        m.queues(7, 2, 3, 0.25);
        m.step(4);
        m.tokens(5);
        m.firstToken(20_000_000);
        m.interTokenGap(3_000_000);
        m.prefixCache(100, 64);
        m.encoderCache(2, 1);
        m.rejected();
        m.error("decode");
        m.kvCopied(4096);
        m.completed("ok");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("glimpse_engine_requests_queued 7.0")
                .contains("glimpse_engine_sequences_waiting 2.0")
                .contains("glimpse_engine_sequences_running 3.0")
                .contains("glimpse_engine_batch_size_count 1")
                .contains("glimpse_engine_generated_tokens_total 5.0")
                .contains("glimpse_engine_time_to_first_token_seconds_count 1")
                .contains("glimpse_engine_time_per_output_token_seconds_count 1")
                .contains("glimpse_engine_kv_usage_ratio 0.25")
                .contains("glimpse_engine_prefix_cache_queries_total 100.0")
                .contains("glimpse_engine_prefix_cache_hits_total 64.0")
                .contains("glimpse_engine_encoder_cache_queries_total 2.0")
                .contains("glimpse_engine_encoder_cache_hits_total 1.0")
                .contains("glimpse_engine_rejections_total 1.0")
                .contains("glimpse_engine_errors_total{stage=\"decode\"} 1.0")
                .contains("glimpse_engine_execution_provider_info{provider=\"cpu\"} 1.0")
                .contains("glimpse_engine_decoder_info{style=\"gqa\"} 1.0")
                .contains("glimpse_engine_kv_bytes_copied_total 4096.0")
                .contains("glimpse_engine_requests_total{outcome=\"ok\"} 1.0");
    }

    @Test
    void errorAndOutcomeSeriesAreExposedAtZeroBeforeTheFirstEvent() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        new EngineMetrics(registry, "cpu", "gqa");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("glimpse_engine_errors_total{stage=\"prompt\"} 0.0")
                .contains("glimpse_engine_errors_total{stage=\"sample\"} 0.0")
                .contains("glimpse_engine_requests_total{outcome=\"ok\"} 0.0")
                .contains("glimpse_engine_requests_total{outcome=\"closed\"} 0.0");
    }
}
