package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SecretScanningAppenderTest {

    @Test
    void reportsTheLinesThatContainASecretIncludingStackTraces() {
        try (SecretScanningAppender logs = SecretScanningAppender.install(Set.of("pa55word"))) {
            LoggerFactory.getLogger("org.apache.kafka.clients.Example")
                    .info("sasl.jaas.config = [hidden]");
            LoggerFactory.getLogger("org.apache.flink.Example")
                    .warn("failed", new IllegalStateException("login pa55word rejected"));
            assertThat(logs.leaks()).singleElement().asString().contains("login pa55word rejected");
            assertThat(logs.jaasConfigSample()).contains("sasl.jaas.config = [hidden]");
            assertThat(logs.events()).isEqualTo(2);
        }
    }
}
