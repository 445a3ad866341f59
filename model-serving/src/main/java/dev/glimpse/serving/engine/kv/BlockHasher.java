package dev.glimpse.serving.engine.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Prefix hashes of full blocks (vLLM v1 style): {@code hash_i = H(hash_{i-1}, tokens of block i,
 * extraKeys)}, where extraKeys are the content hashes of the images whose placeholder span touches
 * block i. Two prompts with identical {@code <unk>} runs but different images therefore never share
 * a block, and the chain makes every later block differ too.
 */
public final class BlockHasher {
    private static final BlockHash ROOT = new BlockHash(0, 0);

    private BlockHasher() {}

    /** Hashes of the {@code floor(numTokens / blockSize)} full blocks of {@code tokens}. */
    public static List<BlockHash> hashFullBlocks(
            int[] tokens, int numTokens, int blockSize, List<ImageSpan> images) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be > 0, got " + blockSize);
        }
        if (numTokens < 0 || numTokens > tokens.length) {
            throw new IllegalArgumentException(
                    "numTokens must be in [0, " + tokens.length + "], got " + numTokens);
        }
        List<BlockHash> hashes = new ArrayList<>(numTokens / blockSize);
        BlockHash parent = ROOT;
        for (int b = 0; b + blockSize <= numTokens; b += blockSize) {
            List<String> extra = new ArrayList<>();
            for (ImageSpan span : images) {
                if (span.overlaps(b, b + blockSize)) {
                    extra.add(span.contentHash());
                }
            }
            parent = hash(parent, tokens, b, b + blockSize, extra);
            hashes.add(parent);
        }
        return hashes;
    }

    static BlockHash hash(BlockHash parent, int[] tokens, int from, int to, List<String> extra) {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocate(16 + 4 * (to - from + 1));
        buf.putLong(parent.hi()).putLong(parent.lo()).putInt(to - from);
        for (int i = from; i < to; i++) {
            buf.putInt(tokens[i]);
        }
        sha.update(buf.array());
        for (String key : extra) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            // length-prefixed so that ("ab","c") and ("a","bc") differ
            sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha.update(bytes);
        }
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        return new BlockHash(digest.getLong(), digest.getLong());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
