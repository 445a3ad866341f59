package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerProcessITCase {

    @Test
    void standaloneBrokerPrintsItsAddressServesTopicsAndStopsOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process =
                new ProcessBuilder(
                                java,
                                "-Xmx512m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                BrokerProcess.class.getName(),
                                "glimpse.images",
                                "glimpse.results")
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            String bootstrap = readBootstrapLine(process);
            assertThat(bootstrap).matches("127\\.0\\.0\\.1:\\d+");

            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(props)) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(topics).contains("glimpse.images", "glimpse.results");
            }

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("broker exits after SIGTERM")
                    .isTrue();
            // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks (the broker's clean stop) and
            // exited.
            assertThat(process.exitValue()).isEqualTo(143);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readBootstrapLine(Process process) throws Exception {
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("BOOTSTRAP=")) {
                return line.substring("BOOTSTRAP=".length());
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw new AssertionError(
                "The broker process printed no BOOTSTRAP= line; alive=" + process.isAlive());
    }
}
