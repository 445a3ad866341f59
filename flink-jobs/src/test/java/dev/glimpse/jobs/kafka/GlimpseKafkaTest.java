package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class GlimpseKafkaTest {
    /** The Kafka section of a job configured with the required keys plus {@code extra}. */
    private static GlimpseJobConfig.Kafka kafka(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(extra);
        values.put("kafka.bootstrapServers", "broker:9092");
        values.put("model.dir", "/opt/model");
        return GlimpseJobConfig.from(ConfigSource.of(values)).kafka();
    }

    @Test
    void sinksLingerAHundredMillisecondsBecauseOnlyCommitsMakeResultsVisible() {
        Properties p =
                GlimpseKafka.sinkProducerProperties(
                        kafka(Map.of("kafka.properties.security.protocol", "SSL")));

        assertThat(p)
                .containsEntry("linger.ms", "100")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("bootstrap.servers", "broker:9092");
    }

    @Test
    void aLingerFromKafkaPropertiesWins() {
        Properties p =
                GlimpseKafka.sinkProducerProperties(
                        kafka(Map.of("kafka.properties.linger.ms", "5")));

        assertThat(p).containsEntry("linger.ms", "5");
    }
}
