package dev.glimpse.serving.slicing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PromptLayoutTest {

    private final SlicePlanner planner = new SlicePlanner(SliceConfig.MINICPM_V);

    @Test
    void aSlicedImageMatchesTheSpecExampleFor1920x1080() {
        String unk = "<unk>".repeat(64);
        String cell = "<slice>" + unk + "</slice>";
        String expected =
                "<image_id>0</image_id><image>"
                        + unk
                        + "</image>"
                        + cell.repeat(4)
                        + "\n"
                        + cell.repeat(4);

        String actual =
                PromptLayout.MINICPM_V_2_6.render(planner.plan(new ImageSize(1920, 1080)), 0);

        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void anUnslicedImageIsOnlyTheOverviewWithItsId() {
        String actual =
                PromptLayout.MINICPM_V_2_6
                        .withQueriesPerImage(2)
                        .render(planner.plan(new ImageSize(448, 448)), 1);

        assertThat(actual).isEqualTo("<image_id>1</image_id><image><unk><unk></image>");
    }

    @Test
    void tokenCountFollowsTheSpecFormula() {
        // 2.6: (2 + digits(k)) + 66 * (1 + N) + (rows - 1); A4 page: 600 tokens (docs/slicing.md
        // §4).
        SliceLayout a4 = planner.plan(new ImageSize(2480, 3508));
        String text = PromptLayout.MINICPM_V_2_6.render(a4, 0);
        Matcher m = Pattern.compile("<[^>]+>|\n|[0-9]").matcher(text);
        int tokens = 0;
        while (m.find()) {
            tokens++;
        }
        assertThat(tokens).isEqualTo(600);
    }

    @Test
    void videoFramesOmitTheImageId() {
        PromptLayout noId =
                new PromptLayout(
                        "<image_id>",
                        "</image_id>",
                        "<image>",
                        "</image>",
                        "<slice>",
                        "</slice>",
                        "<unk>",
                        1,
                        false);
        assertThat(noId.render(planner.plan(new ImageSize(1000, 500)), 3))
                .isEqualTo("<image><unk></image><slice><unk></slice><slice><unk></slice>");
    }
}
