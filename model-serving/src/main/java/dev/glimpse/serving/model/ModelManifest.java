package dev.glimpse.serving.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.KvStyle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * {@code model.json}: what the engine needs to drive a model directory (docs/design.md §3). Read
 * once; immutable.
 *
 * @param name model name
 * @param version model version
 * @param vision vision-side dimensions
 * @param llm decoder dimensions
 * @param chatTemplate with {@code {instruction}}, {@code {image}} and {@code {question}}
 * @param stopTokens tokens that end generation
 * @param tasks per task prompt settings
 * @param inputs how pixels reach the vision graph where models differ ({@code preprocessing})
 */
public record ModelManifest(
        String name,
        String version,
        Vision vision,
        Llm llm,
        String chatTemplate,
        List<String> stopTokens,
        Map<Task, TaskPrompt> tasks,
        InputPolicy inputs) {

    public static final String DEFAULT_CHAT_TEMPLATE =
            "<|im_start|>user\n{instruction}\n{image}{question}<|im_end|>\n<|im_start|>assistant\n";

    /** The 2.6 reference (HF {@code chat()}): system turn, image first, then the question. */
    public static final String MINICPMV26_CHAT_TEMPLATE =
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                    + "<|im_start|>user\n{image}\n{instruction}{question}<|im_end|>\n"
                    + "<|im_start|>assistant\n";

    public ModelManifest {
        stopTokens = List.copyOf(stopTokens);
        Objects.requireNonNull(inputs, "inputs");
        for (String field : List.of("{image}", "{instruction}", "{question}")) {
            int at = chatTemplate.indexOf(field);
            if (at < 0 || chatTemplate.indexOf(field, at + 1) >= 0) {
                throw new IllegalArgumentException(
                        "model.json: chatTemplate must hold "
                                + field
                                + " exactly once: "
                                + chatTemplate);
            }
        }
        tasks = Map.copyOf(tasks);
        for (Task t : Task.values()) {
            if (!tasks.containsKey(t)) {
                throw new IllegalArgumentException("model.json: tasks." + key(t) + " is missing");
            }
        }
    }

    /** A manifest with the bundled model's input policy ({@link InputPolicy#DEFAULTS}). */
    public ModelManifest(
            String name,
            String version,
            Vision vision,
            Llm llm,
            String chatTemplate,
            List<String> stopTokens,
            Map<Task, TaskPrompt> tasks) {
        this(name, version, vision, llm, chatTemplate, stopTokens, tasks, InputPolicy.DEFAULTS);
    }

    /** A copy with another chat template (a deployment's or the reference's). */
    public ModelManifest withChatTemplate(String template) {
        return new ModelManifest(name, version, vision, llm, template, stopTokens, tasks, inputs);
    }

    /** Vision dimensions: patch size, slicing parameters, Q visual tokens per slice. */
    public record Vision(
            int patch,
            int scaleResolution,
            int maxSliceNums,
            int queryNum,
            double[] mean,
            double[] std) {}

    /**
     * Decoder dimensions and its graphs.
     *
     * @param decoderStyle the style of the default decoder graph ({@code llm.decoderStyle},
     *     "concat" when absent)
     * @param decoderFiles decoder graph file per style ({@code llm.decoders}, e.g. {@code {"gqa":
     *     "decoder.onnx", "concat": "decoder-concat.onnx"}}; {@code decoder.onnx} in the default
     *     style when absent). Every graph computes the same function over the same weights.
     */
    public record Llm(
            int hidden,
            int layers,
            int heads,
            int kvHeads,
            int headDim,
            int vocab,
            int maxPositions,
            KvStyle decoderStyle,
            Map<KvStyle, String> decoderFiles) {
        public Llm {
            decoderFiles = Map.copyOf(decoderFiles);
            if (!decoderFiles.containsKey(decoderStyle)) {
                throw new IllegalArgumentException(
                        "model.json: llm.decoders has no "
                                + decoderStyle.manifestName()
                                + " graph (the llm.decoderStyle); it lists "
                                + names(decoderFiles));
            }
        }

        /** The manifest names of the decoder graphs, sorted: e.g. [concat, gqa]. */
        public List<String> decoderStyleNames() {
            return names(decoderFiles);
        }

        private static List<String> names(Map<KvStyle, String> files) {
            return files.keySet().stream().map(KvStyle::manifestName).sorted().toList();
        }
    }

    /**
     * One task's prompt.
     *
     * @param instruction precedes the image (shared by all prompts of the task)
     * @param question caption/OCR: optional default question; moderation: template with {@code
     *     {category}}
     * @param maxNewTokens default generation cap
     * @param categories moderation categories
     * @param threshold moderation flag threshold on P(yes)
     * @param yes moderation: the "yes" answer token text
     * @param no moderation: the "no" answer token text
     * @param maxSliceNums slicing limit for this task's images
     */
    public record TaskPrompt(
            String instruction,
            String question,
            int maxNewTokens,
            List<String> categories,
            double threshold,
            String yes,
            String no,
            int maxSliceNums) {}

    static String key(Task t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    public static ModelManifest read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        JsonNode v = req(root, "vision");
        JsonNode l = req(root, "llm");
        Vision vision =
                new Vision(
                        intOf(v, 14, "patch", "patchSize", "patch_size"),
                        intOf(v, 448, "scaleResolution", "scale_resolution"),
                        intOf(v, 9, "maxSliceNums", "max_slice_nums"),
                        intOf(v, -1, "queryNum", "query_num"),
                        doubles(v, "mean"),
                        doubles(v, "std"));
        KvStyle defaultStyle =
                KvStyle.ofManifest(l.path("decoderStyle").asText(KvStyle.CONCAT.manifestName()));
        Llm llm =
                new Llm(
                        intOf(l, -1, "hidden", "hiddenSize", "hidden_size"),
                        intOf(l, -1, "layers", "numLayers", "num_layers"),
                        intOf(l, -1, "heads", "numHeads", "num_heads"),
                        intOf(l, -1, "kvHeads", "kv_heads", "numKvHeads"),
                        intOf(l, -1, "headDim", "head_dim"),
                        intOf(l, -1, "vocab", "vocabSize", "vocab_size"),
                        intOf(l, 1024, "maxPositions", "max_positions"),
                        defaultStyle,
                        decoderFiles(l, defaultStyle));
        List<String> stops = new ArrayList<>();
        JsonNode st = first(root, "stopTokens", "stop_tokens");
        if (st != null) {
            st.forEach(n -> stops.add(n.asText()));
        } else {
            stops.addAll(List.of("<|im_end|>", "<|endoftext|>"));
        }
        JsonNode tmpl = first(root, "chatTemplate", "chat_template", "promptTemplate");
        Map<Task, TaskPrompt> tasks = new EnumMap<>(Task.class);
        JsonNode tn = req(root, "tasks");
        for (Task t : Task.values()) {
            JsonNode n = tn.get(key(t));
            if (n == null) {
                throw new IllegalArgumentException("model.json: tasks." + key(t) + " is missing");
            }
            List<String> cats = new ArrayList<>();
            JsonNode c = n.get("categories");
            if (c != null) {
                c.forEach(x -> cats.add(x.isTextual() ? x.asText() : x.get("name").asText()));
            }
            JsonNode q = n.get("question");
            JsonNode thr = n.get("threshold");
            tasks.put(
                    t,
                    new TaskPrompt(
                            req(n, "instruction").asText(),
                            q == null || q.isNull() ? "" : q.asText(),
                            intOf(
                                    n,
                                    t == Task.MODERATION ? 1 : 32,
                                    "maxNewTokens",
                                    "max_new_tokens"),
                            cats,
                            thr == null ? 0.5 : thr.asDouble(),
                            n.has("yes") ? n.get("yes").asText() : "yes",
                            n.has("no") ? n.get("no").asText() : "no",
                            intOf(n, vision.maxSliceNums(), "maxSliceNums", "max_slice_nums")));
        }
        return new ModelManifest(
                root.path("name").asText("unnamed"),
                root.path("version").asText("0"),
                vision,
                llm,
                tmpl == null ? DEFAULT_CHAT_TEMPLATE : tmpl.asText(),
                stops,
                tasks,
                InputPolicy.read(root.get("preprocessing")));
    }

    private static Map<KvStyle, String> decoderFiles(JsonNode llm, KvStyle defaultStyle) {
        JsonNode d = llm.get("decoders");
        if (d == null || d.isNull()) {
            return Map.of(defaultStyle, "decoder.onnx");
        }
        Map<KvStyle, String> files = new EnumMap<>(KvStyle.class);
        d.fields()
                .forEachRemaining(
                        e -> files.put(KvStyle.ofManifest(e.getKey()), e.getValue().asText()));
        return files;
    }

    private static JsonNode req(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(
                    "model.json: required field '" + field + "' is missing");
        }
        return v;
    }

    private static JsonNode first(JsonNode n, String... names) {
        for (String name : names) {
            JsonNode v = n.get(name);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static int intOf(JsonNode n, int dflt, String... names) {
        JsonNode v = first(n, names);
        if (v == null) {
            if (dflt < 0) {
                throw new IllegalArgumentException(
                        "model.json: required field '" + names[0] + "' is missing");
            }
            return dflt;
        }
        return v.asInt();
    }

    private static double[] doubles(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null) {
            return new double[] {0.5, 0.5, 0.5};
        }
        double[] d = new double[v.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = v.get(i).asDouble();
        }
        return d;
    }

    /** Moderation threshold, when categories are defined. */
    public OptionalDouble moderationThreshold() {
        return OptionalDouble.of(tasks.get(Task.MODERATION).threshold());
    }
}
