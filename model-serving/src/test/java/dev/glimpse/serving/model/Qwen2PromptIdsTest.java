package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.engine.EncodedPrompt;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.Task;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * MiniCPM-V 2.6 prompt goldens as token ids of the real Qwen2 tokenizer (issue #23). The expected
 * ids ({@code qwen2-prompt/golden.json}) were computed by {@code training/qwen2_prompt_goldens.py}
 * with a pure-Python byte-level BPE over Qwen2's full merge table and MiniCPM-V 2.6's added tokens;
 * {@code qwen2-prompt/tokenizer.json} is that tokenizer reduced to the merges those texts use (same
 * ids, provably the same result on them). Here the engine's prompt builder renders the prompts from
 * the model.json the 2.6 export writes (the replica's: 2.6 chat template and task prompts; 64
 * queries as in 2.6) and DJL's binding of HF tokenizers encodes them: a second, independent BPE.
 */
class Qwen2PromptIdsTest {
    private static final Path DIR = Path.of("src/test/resources/qwen2-prompt");

    private static ModelManifest reference() throws Exception {
        ModelManifest m =
                ModelManifest.read(ReplicaMiniCpmV26ITCase.ROOT.resolve("fp32/model.json"));
        ModelManifest.Vision v = m.vision();
        return new ModelManifest(
                m.name(),
                m.version(),
                new ModelManifest.Vision(
                        v.patch(), v.scaleResolution(), v.maxSliceNums(), 64, v.mean(), v.std()),
                m.llm(),
                m.chatTemplate(),
                m.stopTokens(),
                m.tasks(),
                m.inputs());
    }

    @Test
    void thePromptBuilderGivesTheQwen2IdsOfTheHfChatTemplateForEveryGoldenConversation()
            throws Exception {
        JsonNode root = new ObjectMapper().readTree(DIR.resolve("golden.json").toFile());
        ModelManifest manifest = reference();
        assertThat(manifest.chatTemplate()).isEqualTo(ModelManifest.MINICPMV26_CHAT_TEMPLATE);
        try (ModelTokenizer tok = new ModelTokenizer(DIR.resolve("tokenizer.json"))) {
            ChatPromptBuilder prompts = new ChatPromptBuilder(manifest, tok);
            int cases = 0;
            for (JsonNode c : root.get("cases")) {
                String name = c.get("name").asText();
                Task task = Task.valueOf(c.get("task").asText().toUpperCase(Locale.ROOT));
                int rows = c.get("gridRows").asInt();
                int cols = c.get("gridCols").asInt();
                EngineImage image = BundledModel.synthetic(cases, 1, rows, cols);
                Optional<String> category =
                        c.get("category").isNull()
                                ? Optional.empty()
                                : Optional.of(c.get("category").asText());
                assertThat(prompts.promptText(task, Optional.empty(), category, image))
                        .as("%s text", name)
                        .isEqualTo(c.get("text").asText());
                EncodedPrompt p = prompts.encode(task, Optional.empty(), category, image);
                int[] want = new int[c.get("ids").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = c.get("ids").get(i).asInt();
                }
                assertThat(p.tokenIds()).as("%s ids", name).containsExactly(want);
                // every <unk> inside an image or slice is a visual token: 64 per image
                assertThat(p.visualPositions()).hasSize(64 * (1 + rows * cols));
                for (int pos : p.visualPositions()) {
                    assertThat(p.tokenIds()[pos]).isEqualTo(128244);
                }
                cases++;
            }
            assertThat(cases).isEqualTo(3);
            // the default system turn's ids, as HF's Qwen2 tokenizer gives them
            assertThat(
                            prompts.encode(
                                            Task.CAPTION,
                                            Optional.empty(),
                                            Optional.empty(),
                                            BundledModel.synthetic(9, 1, 0, 0))
                                    .tokenIds())
                    .startsWith(151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198);
            assertThat(prompts.yesTokenId()).isEqualTo(9454);
            assertThat(prompts.noTokenId()).isEqualTo(2753);
            assertThat(tok.singleTokenId("<|im_end|>")).isEqualTo(151645);
        }
    }
}
