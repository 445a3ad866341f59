package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.config.GlimpseJobConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class GlimpseKafkaTest {
    private static GlimpseJobConfig.Kafka kafka(Map<String, String> properties) {
        return new GlimpseJobConfig.Kafka(
                "broker:9092",
                "glimpse.images",
                "glimpse.results",
                "glimpse.dlq",
                "glimpse",
                "glimpse",
                Duration.ofMinutes(15),
                properties,
                8_388_608L,
                1_048_576);
    }

    @Test
    void sinksLingerAHundredMillisecondsBecauseOnlyCommitsMakeResultsVisible() {
        Properties p =
                GlimpseKafka.sinkProducerProperties(kafka(Map.of("security.protocol", "SSL")));

        assertThat(p)
                .containsEntry("linger.ms", "100")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("bootstrap.servers", "broker:9092");
    }

    @Test
    void aLingerFromKafkaPropertiesWins() {
        Properties p = GlimpseKafka.sinkProducerProperties(kafka(Map.of("linger.ms", "5")));

        assertThat(p).containsEntry("linger.ms", "5");
    }
}
