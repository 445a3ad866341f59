package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.EncodedPrompt;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.PromptEncoder;
import dev.glimpse.serving.engine.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * MiniCPM-V 2.6 prompts (docs/slicing.md §3): the chat template with the task's instruction first,
 * then the image placeholder, then the question:
 *
 * <pre>
 * &lt;|im_start|&gt;user\n{instruction}\n{placeholder}{"" | "\n" + question}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n
 * placeholder = &lt;image_id&gt;0&lt;/image_id&gt;&lt;image&gt;&lt;unk&gt;*Q&lt;/image&gt;
 *               + rows of (&lt;slice&gt;&lt;unk&gt;*Q&lt;/slice&gt; x cols) joined by "\n"
 * </pre>
 *
 * The bundled model's template: the instruction precedes the image so that all prompts of a task
 * over one image (moderation categories) share the prefix [instruction + image]. The template is
 * model data ({@code chatTemplate} in model.json): the MiniCPM-V 2.6 reference ({@link
 * ModelManifest#MINICPMV26_CHAT_TEMPLATE}) has a system turn and puts the image first, and its
 * moderation prompts still share [system + image + instruction]. Thread-safe.
 */
public final class ChatPromptBuilder implements PromptEncoder {
    private final ModelManifest manifest;
    private final ModelTokenizer tokenizer;
    private final int unk;
    private final int imageStart;
    private final int imageEnd;
    private final int sliceStart;
    private final int sliceEnd;
    private final int yes;
    private final int no;
    private final Set<Integer> stops = new HashSet<>();

    public ChatPromptBuilder(ModelManifest manifest, ModelTokenizer tokenizer) {
        this.manifest = manifest;
        this.tokenizer = tokenizer;
        this.unk = tokenizer.singleTokenId("<unk>");
        this.imageStart = tokenizer.singleTokenId("<image>");
        this.imageEnd = tokenizer.singleTokenId("</image>");
        this.sliceStart = tokenizer.singleTokenId("<slice>");
        this.sliceEnd = tokenizer.singleTokenId("</slice>");
        ModelManifest.TaskPrompt mod = manifest.tasks().get(Task.MODERATION);
        this.yes = tokenizer.singleTokenId(mod.yes());
        this.no = tokenizer.singleTokenId(mod.no());
        for (String s : manifest.stopTokens()) {
            stops.add(tokenizer.singleTokenId(s));
        }
    }

    /** The placeholder text of one image (image index 0). */
    public String placeholder(EngineImage image) {
        String unks = "<unk>".repeat(manifest.vision().queryNum());
        StringBuilder sb =
                new StringBuilder("<image_id>0</image_id><image>").append(unks).append("</image>");
        for (int r = 0; r < image.gridRows(); r++) {
            if (r > 0) {
                sb.append('\n');
            }
            for (int c = 0; c < image.gridCols(); c++) {
                sb.append("<slice>").append(unks).append("</slice>");
            }
        }
        return sb.toString();
    }

    /** The full prompt text. */
    public String promptText(
            Task task, Optional<String> question, Optional<String> category, EngineImage image) {
        ModelManifest.TaskPrompt tp = manifest.tasks().get(task);
        String q;
        if (task == Task.MODERATION) {
            String cat =
                    category.orElseThrow(
                            () -> new IllegalArgumentException("moderation needs a category"));
            q = "\n" + tp.question().replace("{category}", cat);
        } else {
            String text = question.orElse(tp.question());
            q = text.isEmpty() ? "" : "\n" + text;
        }
        return manifest.chatTemplate()
                .replace("{instruction}", tp.instruction())
                .replace("{image}", placeholder(image))
                .replace("{question}", q);
    }

    @Override
    public EncodedPrompt encode(
            Task task, Optional<String> question, Optional<String> category, EngineImage image) {
        int[] ids = tokenizer.encode(promptText(task, question, category, image));
        List<Integer> vis = new ArrayList<>();
        boolean inside = false;
        for (int i = 0; i < ids.length; i++) {
            int t = ids[i];
            if (t == imageStart || t == sliceStart) {
                inside = true;
            } else if (t == imageEnd || t == sliceEnd) {
                inside = false;
            } else if (inside && t == unk) {
                vis.add(i);
            }
        }
        return new EncodedPrompt(ids, vis.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String decode(List<Integer> tokenIds) {
        return tokenizer.decode(tokenIds);
    }

    /**
     * Decodes each token on its own (one native call) and adds up their lengths; where the pieces
     * do not join to {@code text} (a character split over byte-level tokens, decoder clean-up),
     * falls back to decoding every prefix.
     */
    @Override
    public int[] tokenEnds(List<Integer> tokenIds, String text) {
        String[] pieces = tokenizer.decodeEach(tokenIds);
        if (!String.join("", pieces).equals(text)) {
            return PromptEncoder.super.tokenEnds(tokenIds, text);
        }
        int[] ends = new int[pieces.length];
        int end = 0;
        for (int i = 0; i < pieces.length; i++) {
            end += pieces[i].length();
            ends[i] = end;
        }
        return ends;
    }

    @Override
    public int defaultMaxNewTokens(Task task) {
        return manifest.tasks().get(task).maxNewTokens();
    }

    @Override
    public Set<Integer> stopTokenIds() {
        return Set.copyOf(stops);
    }

    @Override
    public int yesTokenId() {
        return yes;
    }

    @Override
    public int noTokenId() {
        return no;
    }

    @Override
    public List<String> moderationCategories() {
        return manifest.tasks().get(Task.MODERATION).categories();
    }

    @Override
    public double moderationThreshold() {
        return manifest.tasks().get(Task.MODERATION).threshold();
    }
}
