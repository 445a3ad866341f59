package dev.glimpse.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TaskSettingsTest {

    @Test
    void theDefaultPromptIsTrimmedAndABlankOneMeansNone() {
        assertThat(new TaskSettings(null, "  What changed?  ", List.of(), null).defaultPrompt())
                .isEqualTo(Optional.of("What changed?"));
        assertThat(new TaskSettings(null, "   ", List.of(), null).defaultPrompt()).isEmpty();
        assertThat(TaskSettings.DEFAULT.defaultPrompt()).isEmpty();
    }

    @Test
    void theSliceBoundAndTheThresholdAreChecked() {
        assertThatThrownBy(() -> new TaskSettings(10, "", List.of(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSlices must be 1..9, was 10");
        assertThatThrownBy(() -> new TaskSettings(null, "", List.of(), 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be in (0, 1), was 1.0");
        assertThat(TaskSettings.DEFAULT.withMaxSlices(3).maxSlices()).isEqualTo(3);
    }
}
