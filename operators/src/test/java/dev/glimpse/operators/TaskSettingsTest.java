package dev.glimpse.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.schemas.AnalysisTask;
import java.time.Duration;
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

    @Test
    void priorityDefaultsToModerationBeforeCaptionsBeforeOcrAndASettingOverridesIt() {
        assertThat(TaskSettings.DEFAULT.priorityOf(AnalysisTask.MODERATION)).isZero();
        assertThat(TaskSettings.DEFAULT.priorityOf(AnalysisTask.CAPTION)).isEqualTo(1);
        assertThat(TaskSettings.DEFAULT.priorityOf(AnalysisTask.OCR)).isEqualTo(2);
        assertThat(
                        new TaskSettings(null, "", List.of(), null, 7, null)
                                .priorityOf(AnalysisTask.OCR))
                .isEqualTo(7);
        assertThatThrownBy(() -> new TaskSettings(null, "", List.of(), null, -1, null))
                .hasMessage("priority must be >= 0, was -1");
    }

    @Test
    void onlyCaptionsHaveADeadlineByDefaultAndZeroMeansNone() {
        assertThat(TaskSettings.DEFAULT.deadlineOf(AnalysisTask.CAPTION))
                .contains(Duration.ofSeconds(60));
        assertThat(TaskSettings.DEFAULT.deadlineOf(AnalysisTask.OCR)).isEmpty();
        assertThat(TaskSettings.DEFAULT.deadlineOf(AnalysisTask.MODERATION)).isEmpty();
        assertThat(
                        new TaskSettings(null, "", List.of(), null, null, Duration.ZERO)
                                .deadlineOf(AnalysisTask.CAPTION))
                .isEmpty();
        assertThat(
                        new TaskSettings(null, "", List.of(), null, null, Duration.ofSeconds(2))
                                .deadlineOf(AnalysisTask.OCR))
                .contains(Duration.ofSeconds(2));
    }
}
