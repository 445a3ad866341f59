package dev.glimpse.serving.engine.kv;

import java.util.Locale;

/**
 * How a decoder graph keeps its KV cache between runs (docs/design.md §4), which fixes how the
 * engine lays out and binds the past and present tensors.
 */
public enum KvStyle {
    /**
     * {@code present = Concat(past, new)} (the torch export): the graph writes a fresh present of
     * {@code S + T} positions each run, so the engine double-buffers and feeds present back as the
     * next past; rows of a batch are left-padded to a common past length and masked. Past and
     * present must never alias.
     */
    CONCAT("concat"),
    /**
     * {@code com.microsoft.GroupQueryAttention} over one buffer of {@code M} positions per row that
     * is both past and present (onnxruntime-genai's builder, our {@code make_gqa_decoder.py}): the
     * graph appends the new positions in place, nothing is copied per run; rows are right-padded
     * and only their lengths (the attention mask's row sums) matter.
     */
    SHARED("gqa");

    private final String manifestName;

    KvStyle(String manifestName) {
        this.manifestName = manifestName;
    }

    /** The {@code llm.decoderStyle} value of model.json. */
    public String manifestName() {
        return manifestName;
    }

    /** Parses {@code llm.decoderStyle}: "concat" or "gqa". */
    public static KvStyle ofManifest(String name) {
        for (KvStyle s : values()) {
            if (s.manifestName.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "decoderStyle must be \"concat\" or \"gqa\", got \"" + name + "\"");
    }
}
