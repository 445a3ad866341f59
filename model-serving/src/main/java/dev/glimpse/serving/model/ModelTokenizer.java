package dev.glimpse.serving.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The model's {@code tokenizer.json} through DJL's Hugging Face tokenizers binding, without
 * automatic special tokens (the chat template writes them). Thread-safe. Needs {@code
 * DJL_CACHE_DIR}, {@code -Dai.djl.offline=true} and {@code -Djna.tmpdir} in locked-down hosts.
 */
public final class ModelTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    public ModelTokenizer(Path tokenizerJson) throws IOException {
        this.tokenizer =
                HuggingFaceTokenizer.newInstance(
                        tokenizerJson,
                        Map.of("addSpecialTokens", "false", "modelMaxLength", "1000000"));
    }

    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(List<Integer> ids) {
        long[] l = new long[ids.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = ids.get(i);
        }
        return tokenizer.decode(l, true);
    }

    /** Each token decoded on its own (special tokens as empty strings), in one native call. */
    public String[] decodeEach(List<Integer> ids) {
        long[][] batch = new long[ids.size()][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new long[] {ids.get(i)};
        }
        return batch.length == 0 ? new String[0] : tokenizer.batchDecode(batch, true);
    }

    /** Id of a token that must encode to exactly one id (special tokens, "yes", "no"). */
    public int singleTokenId(String token) {
        int[] ids = encode(token);
        if (ids.length != 1) {
            throw new IllegalArgumentException(
                    "token '"
                            + token
                            + "' must encode to one id, got "
                            + java.util.Arrays.toString(ids));
        }
        return ids[0];
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
