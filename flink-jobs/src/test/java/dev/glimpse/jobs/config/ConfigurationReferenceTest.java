package dev.glimpse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigurationReferenceTest {

    @Test
    void theReadmeDocumentsEveryConfigurationKeyWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (GlimpseJobConfig.Key key : GlimpseJobConfig.KEYS) {
            String row =
                    "| `"
                            + key.name()
                            + "` | "
                            + (key.defaultValue().isEmpty() ? "—" : "`" + key.defaultValue() + "`")
                            + " |";
            assertThat(readme).as("README row of %s", key.name()).contains(row);
        }
    }
}
