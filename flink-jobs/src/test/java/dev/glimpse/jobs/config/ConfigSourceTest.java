package dev.glimpse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

    @TempDir Path dir;

    private Path yaml(String text) throws Exception {
        Path file = dir.resolve("glimpse.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void nestedYamlBecomesDottedKeysListsBecomeCommaSeparatedAndNullsVanish() throws Exception {
        Path file =
                yaml(
                        """
                        kafka:
                          bootstrapServers: broker-1:9092
                          topics: {images: in, results: out}
                          properties:
                            security.protocol: SSL
                        tasks:
                          moderation:
                            categories: [skull, weapons]
                            threshold: 0.7
                        engine:
                          prefixCaching: false
                          metrics: {port: 9250, host: null}
                        """);

        assertThat(ConfigSource.readYaml(file))
                .containsExactly(
                        entry("kafka.bootstrapServers", "broker-1:9092"),
                        entry("kafka.topics.images", "in"),
                        entry("kafka.topics.results", "out"),
                        entry("kafka.properties.security.protocol", "SSL"),
                        entry("tasks.moderation.categories", "skull,weapons"),
                        entry("tasks.moderation.threshold", "0.7"),
                        entry("engine.prefixCaching", "false"),
                        entry("engine.metrics.port", "9250"));
    }

    @Test
    void anEmptyYamlFileHasNoKeys() throws Exception {
        assertThat(ConfigSource.readYaml(yaml(""))).isEmpty();
    }

    @Test
    void aYamlFileThatIsNotAMappingIsRejected() throws Exception {
        Path file = yaml("- a\n- b\n");

        assertThatThrownBy(() -> ConfigSource.readYaml(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": expected a YAML mapping at the top level");
    }

    @Test
    void flagsOverrideTheConfigFileWhateverTheirOrder() throws Exception {
        Path file = yaml("kafka:\n  bootstrapServers: from-file:9092\n  groupId: file-group\n");

        ConfigSource source =
                ConfigSource.fromArgs(
                        new String[] {
                            "--bootstrap-servers", "from-flag:9092",
                            "--config", file.toString(),
                            "--set", "kafka.groupId=flag-group"
                        });

        assertThat(source.values())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "kafka.bootstrapServers", "from-flag:9092",
                                "kafka.groupId", "flag-group"));
    }

    @Test
    void theLastOfTwoFlagsForOneKeyWins() throws Exception {
        ConfigSource source =
                ConfigSource.fromArgs(
                        new String[] {"--parallelism", "2", "--set", "pipeline.parallelism=4"});

        assertThat(source.values()).containsExactly(entry("pipeline.parallelism", "4"));
    }

    @Test
    void theShortcutFlagsAreExactlyThese() {
        assertThat(ConfigSource.FLAGS)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.ofEntries(
                                entry("--bootstrap-servers", "kafka.bootstrapServers"),
                                entry("--security-protocol", "kafka.properties.security.protocol"),
                                entry("--sasl-mechanism", "kafka.properties.sasl.mechanism"),
                                entry("--images-topic", "kafka.topics.images"),
                                entry("--results-topic", "kafka.topics.results"),
                                entry("--dlq-topic", "kafka.topics.dlq"),
                                entry("--group-id", "kafka.groupId"),
                                entry("--model-dir", "model.dir"),
                                entry("--checkpoint-interval", "pipeline.checkpointInterval"),
                                entry("--parallelism", "pipeline.parallelism"),
                                entry("--execution-provider", "engine.executionProvider")));
    }

    @Test
    void everyShortcutFlagSetsItsKey() throws Exception {
        for (Map.Entry<String, String> flag : ConfigSource.FLAGS.entrySet()) {
            ConfigSource source = ConfigSource.fromArgs(new String[] {flag.getKey(), "v-1"});

            assertThat(source.values())
                    .as(flag.getKey())
                    .containsExactly(entry(flag.getValue(), "v-1"));
        }
    }

    @Test
    void setTakesAnyKeyTrimsAndSplitsAtTheFirstEqualsSign() throws Exception {
        ConfigSource source =
                ConfigSource.fromArgs(
                        new String[] {
                            "--set", " kafka.properties.sasl.jaas.config = a=b;c=d ",
                            "--set", "tasks.caption.prompt="
                        });

        assertThat(source.values())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "kafka.properties.sasl.jaas.config", "a=b;c=d",
                                "tasks.caption.prompt", ""));
    }

    @Test
    void setWithoutAKeyIsRejected() {
        assertThatThrownBy(() -> ConfigSource.fromArgs(new String[] {"--set", "=v"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--set expects key=value, got '=v'");
        assertThatThrownBy(() -> ConfigSource.fromArgs(new String[] {"--set", "novalue"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--set expects key=value, got 'novalue'");
    }

    @Test
    void anUnknownFlagIsRejectedNamingTheKnownOnes() {
        assertThatThrownBy(() -> ConfigSource.fromArgs(new String[] {"--topic", "x"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown flag --topic; expected --config, --set or one of "
                                + ConfigSource.FLAGS.keySet());
    }

    @Test
    void aFlagWithoutAValueIsRejected() {
        assertThatThrownBy(
                        () ->
                                ConfigSource.fromArgs(
                                        new String[] {"--model-dir", "/m", "--parallelism"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Flag --parallelism needs a value");
    }

    @Test
    void withPrefixStripsThePrefixAndItsDot() {
        ConfigSource source =
                ConfigSource.of(
                        Map.of(
                                "kafka.properties.security.protocol", "SSL",
                                "kafka.propertiesX", "no",
                                "kafka.groupId", "g"));

        assertThat(source.withPrefix("kafka.properties"))
                .containsExactly(entry("security.protocol", "SSL"));
    }
}
