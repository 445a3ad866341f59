package dev.glimpse.jobs.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSecretsTest {

    @Test
    void hidesKafkaPasswordSettingsAndKeepsTheRest() {
        Map<String, String> shown =
                ClientSecrets.redact(
                        Map.of(
                                "sasl.jaas.config",
                                ScramUsers.jaasConfig("glimpse-job", "pw-1"),
                                "ssl.truststore.password",
                                "pw-2",
                                "ssl.keystore.key",
                                "-----BEGIN PRIVATE KEY-----",
                                "sasl.oauthbearer.client.credentials.client.secret",
                                "pw-3",
                                "security.protocol",
                                "SASL_SSL"));
        assertThat(shown)
                .containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("ssl.truststore.password", "[hidden]")
                .containsEntry("ssl.keystore.key", "[hidden]")
                .containsEntry("sasl.oauthbearer.client.credentials.client.secret", "[hidden]")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void jobKafkaConfigPrintsWithoutTheJaasPassword() {
        GlimpseJobConfig config =
                GlimpseJobConfig.from(
                        ConfigSource.of(
                                Map.of(
                                        "kafka.bootstrapServers",
                                        "broker:9093",
                                        "model.dir",
                                        Path.of("..", "model-serving", "models", "glimpse-tiny")
                                                .toString(),
                                        "kafka.properties.security.protocol",
                                        "SASL_SSL",
                                        "kafka.properties.sasl.jaas.config",
                                        ScramUsers.jaasConfig("glimpse-job", "s3cret-pw"))));
        assertThat(config.kafka().toString())
                .doesNotContain("s3cret-pw")
                .contains("sasl.jaas.config=[hidden]", "security.protocol=SASL_SSL");
        assertThat(config.toString()).doesNotContain("s3cret-pw");
        assertThat(config.kafka().clientProperties().getProperty("sasl.jaas.config"))
                .contains("s3cret-pw");
    }
}
