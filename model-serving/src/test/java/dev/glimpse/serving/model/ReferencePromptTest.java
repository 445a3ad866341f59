package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.Task;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The reference prompt as model data: the MiniCPM-V 2.6 chat template ({@link
 * ModelManifest#MINICPMV26_CHAT_TEMPLATE}) renders the exact string HF {@code chat()} builds for
 * {@code [{"role": "user", "content": [image, question]}]}: the Qwen2 default system turn, the
 * image placeholder (processor {@code get_slice_image_placeholder}, {@code use_image_id}), a
 * newline, the question. The same prompts as Qwen2 token ids: {@link Qwen2PromptIdsTest}.
 */
class ReferencePromptTest {
    private static final String UNK64 = "<unk>".repeat(64);

    private static ModelManifest reference(ModelManifest bundled) {
        ModelManifest.Vision v = bundled.vision();
        return new ModelManifest(
                "minicpmv-2.6-layout",
                "test",
                new ModelManifest.Vision(
                        v.patch(), 448, 9, 64, v.mean(), v.std()), // 2.6: 64 queries
                bundled.llm(),
                ModelManifest.MINICPMV26_CHAT_TEMPLATE,
                bundled.stopTokens(),
                bundled.tasks(),
                InputPolicy.MINICPMV26_REFERENCE);
    }

    @Test
    void theBundledModelKeepsItsOwnTemplateAndInputPolicy() throws Exception {
        ModelManifest m = ModelManifest.read(BundledModel.dir().resolve("model.json"));
        assertThat(m.chatTemplate()).isEqualTo(ModelManifest.DEFAULT_CHAT_TEMPLATE);
        assertThat(m.inputs()).isEqualTo(InputPolicy.DEFAULTS);
        assertThat(m.inputs().exifOrientation()).isTrue();
        assertThat(m.inputs().positionBuckets()).isEqualTo(InputPolicy.PositionBuckets.FLOOR);
    }

    @Test
    void theMiniCpmV26TemplateRendersHfChatsStringForASlicedImageAndAQuestion() throws Exception {
        try (ModelDirectory dir = ModelDirectory.open(BundledModel.dir());
                ModelTokenizer tok =
                        new ModelTokenizer(BundledModel.dir().resolve("tokenizer.json"))) {
            ChatPromptBuilder prompts = new ChatPromptBuilder(reference(dir.manifest()), tok);
            // a 1000x500 picture slices into 1 row of 2 (docs/slicing.md): overview + 2 slices
            EngineImage img = BundledModel.synthetic(1, 1, 1, 2);
            String text = prompts.promptText(Task.CAPTION, Optional.empty(), Optional.empty(), img);
            assertThat(text)
                    .isEqualTo(
                            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                                    + "<|im_start|>user\n"
                                    + "<image_id>0</image_id><image>"
                                    + UNK64
                                    + "</image>"
                                    + "<slice>"
                                    + UNK64
                                    + "</slice><slice>"
                                    + UNK64
                                    + "</slice>"
                                    + "\nDescribe the image.<|im_end|>\n"
                                    + "<|im_start|>assistant\n");
            // two rows of slices are joined by one newline, none inside a row
            EngineImage grid = BundledModel.synthetic(2, 1, 2, 1);
            String two = prompts.placeholder(grid);
            assertThat(two)
                    .isEqualTo(
                            "<image_id>0</image_id><image>"
                                    + UNK64
                                    + "</image><slice>"
                                    + UNK64
                                    + "</slice>\n<slice>"
                                    + UNK64
                                    + "</slice>");
            String mod =
                    prompts.promptText(
                            Task.MODERATION, Optional.empty(), Optional.of("skull"), img);
            assertThat(mod)
                    .endsWith(
                            "</slice>\nCheck the image for unsafe content.\n"
                                    + "Does it show skull? Answer yes or no.<|im_end|>\n"
                                    + "<|im_start|>assistant\n");
            // every <unk> of the placeholder is a visual-token position: 3 slices x 64
            assertThat(
                            prompts.encode(Task.CAPTION, Optional.empty(), Optional.empty(), img)
                                    .visualPositions())
                    .hasSize(3 * 64);
        }
    }

    @Test
    void preprocessingIsReadFromModelJsonAndWrongValuesAreNamed() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(InputPolicy.read(null)).isEqualTo(InputPolicy.DEFAULTS);
        assertThat(
                        InputPolicy.read(
                                json.readTree(
                                        "{\"exifOrientation\":\"ignore\","
                                                + "\"positionBuckets\":\"bucketize\"}")))
                .isEqualTo(InputPolicy.MINICPMV26_REFERENCE);
        assertThatThrownBy(() -> InputPolicy.read(json.readTree("{\"exifOrientation\":\"auto\"}")))
                .hasMessage(
                        "model.json: preprocessing.exifOrientation must be apply or ignore, was auto");
        assertThatThrownBy(() -> InputPolicy.read(json.readTree("{\"positionBuckets\":\"round\"}")))
                .hasMessage(
                        "model.json: preprocessing.positionBuckets must be floor or bucketize, was"
                                + " round");
    }

    @Test
    void aTemplateWithoutTheImageOrWithItTwiceIsRefused() throws Exception {
        ModelManifest m = ModelManifest.read(BundledModel.dir().resolve("model.json"));
        assertThatThrownBy(() -> m.withChatTemplate("<|im_start|>user\n{instruction}{question}"))
                .hasMessageStartingWith("model.json: chatTemplate must hold {image} exactly once");
        assertThatThrownBy(() -> m.withChatTemplate("{image}{image}{instruction}{question}"))
                .hasMessageStartingWith("model.json: chatTemplate must hold {image} exactly once");
    }
}
