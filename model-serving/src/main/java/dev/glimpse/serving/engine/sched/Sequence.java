package dev.glimpse.serving.engine.sched;

import dev.glimpse.serving.engine.SamplingParams;
import dev.glimpse.serving.engine.kv.BlockHash;
import dev.glimpse.serving.engine.kv.ImageSpan;
import dev.glimpse.serving.engine.kv.KvState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One token sequence being generated: a caption/OCR request, or one category of a moderation
 * request. Its progress is {@code numComputedTokens} catching up with {@code numTokens()}: prefill
 * (chunked or not), prefix hits and decode all follow from that. Engine thread only.
 */
public final class Sequence {
    private final String id;
    private final String requestId;
    private final int[] promptTokens;
    private final int[]
            visualPositions; // prompt positions whose embeddings are image rows, in order
    private final List<ImageSpan> imageSpans;
    private final List<BlockHash> promptBlockHashes;
    private final int maxNewTokens;
    private final Set<Integer> stopTokens;
    private final SamplingParams sampling;
    private final SplittableRandom rng;
    private final List<Integer> outputTokens = new ArrayList<>();
    private RequestState state = RequestState.WAITING;
    private int numComputedTokens;
    private int numCachedTokens;
    private int priority; // lower runs first (0 = most urgent); the request's
    private long arrival = -1; // the request's submit order; -1 until queued

    // Physical state owned by the engine loop.
    private KvState
            prefillKv; // holds this sequence's KV (row prefillRow) until it joins the decode batch
    private int prefillRow;
    private float[] visualTokens; // [visualPositions.length, D] once encoded
    private long firstTokenNanos;
    private float[] lastLogits; // [V], moderation scoring reads it

    public Sequence(
            String id,
            String requestId,
            int[] promptTokens,
            int[] visualPositions,
            List<ImageSpan> imageSpans,
            List<BlockHash> promptBlockHashes,
            int maxNewTokens,
            Set<Integer> stopTokens,
            SamplingParams sampling) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("maxNewTokens must be > 0, got " + maxNewTokens);
        }
        this.id = id;
        this.requestId = requestId;
        this.promptTokens = promptTokens.clone();
        this.visualPositions = visualPositions.clone();
        this.imageSpans = List.copyOf(imageSpans);
        this.promptBlockHashes = List.copyOf(promptBlockHashes);
        this.maxNewTokens = maxNewTokens;
        this.stopTokens = Set.copyOf(stopTokens);
        this.sampling = sampling;
        this.rng = new SplittableRandom(sampling.seed());
    }

    /** Moves to {@code next}, or throws with the state unchanged if the move is illegal. */
    public void transitionTo(RequestState next) {
        if (!state.canTransitionTo(next)) {
            throw new IllegalStateException(
                    "sequence " + id + ": illegal transition " + state + " -> " + next);
        }
        state = next;
    }

    /**
     * Sets the request's priority (lower is more urgent) and arrival order (smaller is older; the
     * sequences of one moderation request share it). Before the sequence is queued.
     */
    public void setPriority(int priority, long arrival) {
        if (arrival < 0) {
            throw new IllegalArgumentException("arrival must be >= 0, got " + arrival);
        }
        this.priority = priority;
        this.arrival = arrival;
    }

    public int priority() {
        return priority;
    }

    /** The request's submit order (smaller is older); -1 until set. */
    public long arrival() {
        return arrival;
    }

    public String id() {
        return id;
    }

    public String requestId() {
        return requestId;
    }

    public RequestState state() {
        return state;
    }

    public int promptLength() {
        return promptTokens.length;
    }

    public int numTokens() {
        return promptTokens.length + outputTokens.size();
    }

    public int tokenAt(int position) {
        return position < promptTokens.length
                ? promptTokens[position]
                : outputTokens.get(position - promptTokens.length);
    }

    public int[] promptTokens() {
        return promptTokens.clone();
    }

    public int[] visualPositions() {
        return visualPositions;
    }

    public List<ImageSpan> imageSpans() {
        return imageSpans;
    }

    public List<BlockHash> promptBlockHashes() {
        return promptBlockHashes;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** Tokens this sequence may ever hold (reserved at admission). */
    public int maxTotalTokens() {
        return promptTokens.length + maxNewTokens;
    }

    public boolean isStopToken(int token) {
        return stopTokens.contains(token);
    }

    public SamplingParams sampling() {
        return sampling;
    }

    public SplittableRandom rng() {
        return rng;
    }

    public List<Integer> outputTokens() {
        return List.copyOf(outputTokens);
    }

    public int numOutputTokens() {
        return outputTokens.size();
    }

    public void appendOutputToken(int token) {
        outputTokens.add(token);
    }

    public int numComputedTokens() {
        return numComputedTokens;
    }

    public void advanceComputed(int n) {
        if (n <= 0 || numComputedTokens + n > numTokens()) {
            throw new IllegalArgumentException(
                    "cannot compute "
                            + n
                            + " tokens: "
                            + numComputedTokens
                            + " of "
                            + numTokens()
                            + " done");
        }
        numComputedTokens += n;
    }

    public int numCachedTokens() {
        return numCachedTokens;
    }

    /** Admission with a prefix hit of {@code cachedTokens} tokens (they count as computed). */
    void admit(int cachedTokens) {
        transitionTo(RequestState.RUNNING);
        numCachedTokens = cachedTokens;
        numComputedTokens = cachedTokens;
    }

    /** Still computing prompt tokens. */
    public boolean isPrefilling() {
        return numComputedTokens < promptTokens.length;
    }

    /** Where this sequence's KV lives while prefilling: its own buffer or a row of a group run. */
    public KvState prefillKv() {
        return prefillKv;
    }

    public int prefillRow() {
        return prefillRow;
    }

    public void setPrefillKv(KvState kv, int row) {
        this.prefillKv = kv;
        this.prefillRow = row;
    }

    public float[] visualTokens() {
        return visualTokens;
    }

    public void setVisualTokens(float[] v) {
        this.visualTokens = v;
    }

    public long firstTokenNanos() {
        return firstTokenNanos;
    }

    public void setFirstTokenNanos(long t) {
        this.firstTokenNanos = t;
    }

    public float[] lastLogits() {
        return lastLogits;
    }

    public void setLastLogits(float[] logits) {
        this.lastLogits = logits;
    }

    @Override
    public String toString() {
        return "Sequence["
                + id
                + ", "
                + state
                + ", computed "
                + numComputedTokens
                + "/"
                + numTokens()
                + "]";
    }
}
