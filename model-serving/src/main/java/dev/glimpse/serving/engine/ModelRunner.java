package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.encoder.EncoderCache;
import dev.glimpse.serving.engine.kv.DecodeBatchKv;
import dev.glimpse.serving.engine.kv.KvBlock;
import dev.glimpse.serving.engine.kv.KvCacheManager;
import dev.glimpse.serving.engine.kv.KvCopyCounter;
import dev.glimpse.serving.engine.kv.KvMemory;
import dev.glimpse.serving.engine.kv.KvMemoryExhaustedException;
import dev.glimpse.serving.engine.kv.SequenceKv;
import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sched.SchedulerOutput;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Runs one step's plan on the model: prefix-block loads of new admissions, visual tokens, prefill
 * chunks, grouped prefills, the batched decode, and publishing full prompt blocks. Owns the
 * physical KV: the decode batch, each prefilling sequence's buffer, the prefix cache's block store.
 *
 * <p>A decoder run gives every row the same number of new positions (both decoder styles), so a
 * step runs fresh prompts computed whole as batched {@code [B, T]} runs of equal length, any other
 * prefill chunk (after a prefix hit, or cut by the token budget) as its own {@code B = 1} run, and
 * then all decoding sequences as one batched {@code T = 1} run.
 *
 * <p>A failed batched run fails only its culprits: its rows run again one by one, and only a row
 * that fails alone fails its request. The others go on from the state they would have had alone.
 * Engine thread only.
 */
final class ModelRunner implements AutoCloseable {
    private final EngineConfig config;
    private final ModelExecutor executor;
    private final ModelShape shape;
    private final KvCacheManager kv;
    private final EngineMetrics metrics;
    private final EngineCounters counters;
    private final LongSupplier nanoTime;
    private final KvCopyCounter copies = new KvCopyCounter();
    private final KvBuffers buffers;
    private final DecodeBatchKv batch;
    private final VisualTokenProvider vision;

    ModelRunner(
            EngineConfig config,
            ModelExecutor executor,
            KvCacheManager kv,
            EngineMetrics metrics,
            EngineCounters counters,
            LongSupplier nanoTime) {
        this.config = config;
        this.executor = executor;
        this.shape = executor.shape();
        this.kv = kv;
        this.metrics = metrics;
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.buffers = new KvBuffers(config, shape, copies);
        this.batch = buffers.batch();
        this.vision = new VisualTokenProvider(config, executor, metrics, counters, nanoTime);
    }

    /** Runs {@code plan}; {@code owners} maps sequence ids to their requests (for images). */
    ModelRunnerOutput execute(SchedulerOutput plan, Map<String, ActiveRequest> owners) {
        ModelRunnerOutput out = new ModelRunnerOutput();
        for (Sequence seq : plan.admitted()) {
            try {
                loadPrefixHits(seq);
            } catch (KvMemoryExhaustedException e) {
                fail(seq, memoryFailure(ExecutionStage.PREFILL, List.of(seq.requestId()), e), out);
            }
        }
        vision.provide(plan.admitted(), owners, (req, e) -> out.fail(req.sequences.get(0), e));
        List<Sequence> decoding = new ArrayList<>();
        // Fresh prompts computed whole in this step are batched by length: equal T and no past
        // is the one case the concat graph can run as one batch without padding.
        Map<Integer, List<Sequence>> freshByLength = new LinkedHashMap<>();
        for (Map.Entry<Sequence, Integer> e : plan.numScheduledTokens().entrySet()) {
            Sequence seq = e.getKey();
            if (out.hasFailed(seq)) {
                continue;
            }
            if (!seq.isPrefilling()) {
                decoding.add(seq);
            } else if (seq.numComputedTokens() == 0 && e.getValue() == seq.promptLength()) {
                freshByLength.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(seq);
            } else {
                prefill(seq, e.getValue(), out);
            }
        }
        for (List<Sequence> sameLength : freshByLength.values()) {
            int rowsPerRun =
                    Math.max(1, config.maxTokensPerPrefillRun() / sameLength.get(0).promptLength());
            for (int from = 0; from < sameLength.size(); from += rowsPerRun) {
                List<Sequence> group =
                        new ArrayList<>(
                                sameLength.subList(
                                        from, Math.min(sameLength.size(), from + rowsPerRun)));
                if (group.size() == 1) {
                    prefill(group.get(0), group.get(0).promptLength(), out);
                } else {
                    prefillGroup(group, out);
                }
            }
        }
        decoding.removeIf(out::hasFailed);
        if (!decoding.isEmpty()) {
            decode(decoding, out);
        } else if (batch.batchSize() > 0) {
            batch.rebuild(List.of(), 0); // every row left: drop them (copies nothing)
        }
        return out;
    }

    /** Nothing was scheduled: drop the decode batch's rows if no sequence runs any more. */
    void idle(int numRunning) {
        if (batch.batchSize() > 0 && numRunning == 0) {
            batch.rebuild(List.of(), 0);
        }
    }

    private void loadPrefixHits(Sequence seq) {
        if (seq.numCachedTokens() > 0) {
            SequenceKv seqKv = buffers.newSequenceKv(seq.promptLength());
            List<KvBlock> hits =
                    kv.blocksOf(seq.id()).subList(0, seq.numCachedTokens() / config.blockSize());
            buffers.blockStore().load(seqKv, hits);
            buffers.hold(seq, seqKv, 0);
        }
    }

    /** Runs {@code n} prompt tokens of one sequence as a {@code B = 1} run. */
    private void prefill(Sequence seq, int n, ModelRunnerOutput out) {
        int start = seq.numComputedTokens();
        int[] ids = new int[n];
        for (int t = 0; t < n; t++) {
            ids[t] = seq.tokenAt(start + t);
        }
        List<String> reqIds = List.of(seq.requestId());
        float[] logits;
        long t0 = nanoTime.getAsLong();
        try {
            if (seq.prefillKv() == null) {
                buffers.hold(seq, newSequenceKv(seq, reqIds), 0);
            }
            float[] embeds = executor.embed(ids, reqIds);
            placeVisualTokens(seq, embeds, start, n);
            logits = executor.decode(seq.prefillKv(), embeds, n, reqIds, ExecutionStage.PREFILL);
            counters.prefill(nanoTime.getAsLong() - t0);
        } catch (ExecutionFailedException e) {
            fail(seq, e, out);
            return;
        }
        seq.advanceComputed(n);
        publishBlocks(seq);
        if (!seq.isPrefilling()) {
            out.sampled(seq, logits, 0);
        }
    }

    /**
     * Prefills fresh sequences of equal prompt length in one {@code [B, T]} run; if it fails, each
     * row runs alone.
     */
    private void prefillGroup(List<Sequence> group, ModelRunnerOutput out) {
        int n = group.get(0).promptLength();
        int d = shape.hiddenSize();
        List<String> reqIds = new ArrayList<>();
        List<String> seqIds = new ArrayList<>();
        int[] tokens = new int[group.size() * n];
        for (int r = 0; r < group.size(); r++) {
            Sequence seq = group.get(r);
            reqIds.add(seq.requestId());
            seqIds.add(seq.id());
            for (int t = 0; t < n; t++) {
                tokens[r * n + t] = seq.tokenAt(t);
            }
        }
        DecodeBatchKv groupKv = buffers.newBatch();
        float[] logits;
        long t0 = nanoTime.getAsLong();
        try {
            try {
                groupKv.resetEmpty(seqIds, n);
            } catch (KvMemoryExhaustedException e) {
                throw memoryFailure(ExecutionStage.PREFILL, reqIds, e);
            }
            float[] embeds = executor.embed(tokens, reqIds);
            for (int r = 0; r < group.size(); r++) {
                float[] row = Arrays.copyOfRange(embeds, r * n * d, (r + 1) * n * d);
                placeVisualTokens(group.get(r), row, 0, n);
                System.arraycopy(row, 0, embeds, r * n * d, n * d);
            }
            logits = executor.decode(groupKv, embeds, n, reqIds, ExecutionStage.PREFILL);
            counters.prefill(nanoTime.getAsLong() - t0);
        } catch (ExecutionFailedException e) {
            groupKv.release();
            for (Sequence seq : group) {
                counters.isolationRun();
                prefill(seq, n, out); // alone: fails only if this row is the culprit
            }
            return;
        }
        counters.groupedPrefill(group.size());
        int v = shape.vocabSize();
        for (int r = 0; r < group.size(); r++) {
            Sequence seq = group.get(r);
            buffers.hold(seq, groupKv, r);
            seq.advanceComputed(n);
            publishBlocks(seq);
            out.sampled(seq, logits, r * v);
        }
    }

    /** Publishes the sequence's newly full prompt blocks to the prefix cache (one copy each). */
    private void publishBlocks(Sequence seq) {
        for (var published :
                kv.cacheFullBlocks(
                        seq.id(),
                        seq.promptBlockHashes(),
                        seq.numComputedTokens() / config.blockSize())) {
            buffers.blockStore()
                    .store(
                            seq.prefillKv(),
                            seq.prefillRow(),
                            published.indexInSequence(),
                            published.block());
        }
    }

    /** Overwrites the placeholder embeddings in {@code [start, start+n)} with image rows. */
    private void placeVisualTokens(Sequence seq, float[] embeds, int start, int n) {
        int[] vis = seq.visualPositions();
        int d = shape.hiddenSize();
        int k = Arrays.binarySearch(vis, start);
        if (k < 0) {
            k = -k - 1;
        }
        for (; k < vis.length && vis[k] < start + n; k++) {
            System.arraycopy(seq.visualTokens(), k * d, embeds, (vis[k] - start) * d, d);
        }
    }

    /** One {@code [B, 1]} run over every decoding sequence; rows run alone if it fails. */
    private void decode(List<Sequence> rows, ModelRunnerOutput out) {
        List<String> wanted = rows.stream().map(Sequence::id).toList();
        List<String> reqIds = rows.stream().map(Sequence::requestId).toList();
        boolean plain = batch.rowIds().equals(wanted);
        if (!plain) {
            long t0 = nanoTime.getAsLong();
            List<String> current = batch.rowIds();
            List<DecodeBatchKv.RowSource> sources = new ArrayList<>();
            for (Sequence s : rows) {
                int idx = current.indexOf(s.id());
                sources.add(
                        idx >= 0
                                ? new DecodeBatchKv.RowSource(s.id(), batch, idx)
                                : new DecodeBatchKv.RowSource(
                                        s.id(), s.prefillKv(), s.prefillRow()));
            }
            try {
                batch.rebuild(sources, headroom(rows));
            } catch (KvMemoryExhaustedException e) {
                // the batch is as it was: its rows and the joining ones run alone, in less memory
                onDecodeFailure(rows, memoryFailure(ExecutionStage.DECODE, reqIds, e), out);
                return;
            }
            for (Sequence s : rows) {
                buffers.release(s); // its KV now lives in the batch
            }
            counters.rebuild(nanoTime.getAsLong() - t0);
        }
        long copiedBefore = copies.totalBytes();
        float[] logits;
        long t1 = nanoTime.getAsLong();
        try {
            logits = decodeRun(batch, rows, reqIds);
        } catch (ExecutionFailedException e) {
            onDecodeFailure(rows, e, out);
            return;
        }
        counters.decode(nanoTime.getAsLong() - t1, plain, copies.totalBytes() - copiedBefore);
        int v = shape.vocabSize();
        for (int r = 0; r < rows.size(); r++) {
            rows.get(r).advanceComputed(1);
            out.sampled(rows.get(r), logits, r * v);
        }
    }

    private void onDecodeFailure(
            List<Sequence> rows, ExecutionFailedException e, ModelRunnerOutput out) {
        if (rows.size() == 1) {
            fail(rows.get(0), e, out);
        } else {
            decodeApart(rows, out);
        }
        batch.release(); // the next step rebuilds it from the rows that go on
    }

    /**
     * The batch's run failed: each row is copied into a batch of its own (from the decode batch, or
     * from its prefill KV if it was joining) and runs alone. A row that succeeds keeps its own
     * batch as its KV (the next step rebuilds the decode batch from them); a row that fails again
     * is a culprit.
     */
    private void decodeApart(List<Sequence> rows, ModelRunnerOutput out) {
        List<String> ids = batch.rowIds();
        for (Sequence s : rows) {
            counters.isolationRun();
            int idx = ids.indexOf(s.id());
            DecodeBatchKv alone = buffers.newBatch();
            float[] logits;
            try {
                try {
                    alone.rebuild(
                            List.of(
                                    idx >= 0
                                            ? new DecodeBatchKv.RowSource(s.id(), batch, idx)
                                            : new DecodeBatchKv.RowSource(
                                                    s.id(), s.prefillKv(), s.prefillRow())),
                            headroom(List.of(s)));
                } catch (KvMemoryExhaustedException e) {
                    throw memoryFailure(ExecutionStage.DECODE, List.of(s.requestId()), e);
                }
                logits = decodeRun(alone, List.of(s), List.of(s.requestId()));
            } catch (ExecutionFailedException e) {
                alone.release();
                fail(s, e, out);
                continue;
            }
            buffers.hold(s, alone, 0);
            s.advanceComputed(1);
            out.sampled(s, logits, 0);
        }
    }

    private float[] decodeRun(DecodeBatchKv state, List<Sequence> rows, List<String> reqIds) {
        int[] ids = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            ids[r] = rows.get(r).tokenAt(rows.get(r).numComputedTokens());
        }
        float[] embeds = executor.embed(ids, reqIds);
        return executor.decode(state, embeds, 1, reqIds, ExecutionStage.DECODE);
    }

    private static int headroom(List<Sequence> rows) {
        int headroom = 0;
        for (Sequence s : rows) {
            headroom = Math.max(headroom, s.maxNewTokens() - s.numOutputTokens());
        }
        return headroom;
    }

    private void fail(Sequence seq, ExecutionFailedException e, ModelRunnerOutput out) {
        metrics.error(e.stage().label());
        out.fail(seq, e);
    }

    private SequenceKv newSequenceKv(Sequence seq, List<String> reqIds) {
        try {
            return buffers.newSequenceKv(seq.promptLength());
        } catch (KvMemoryExhaustedException e) {
            throw memoryFailure(ExecutionStage.PREFILL, reqIds, e);
        }
    }

    private static ExecutionFailedException memoryFailure(
            ExecutionStage stage, List<String> reqIds, KvMemoryExhaustedException e) {
        return new ExecutionFailedException(stage, reqIds, e.getMessage(), e);
    }

    /** The sequence no longer reads its prefill KV (it finished). */
    void releaseKv(Sequence seq) {
        buffers.release(seq);
    }

    KvMemory kvMemory() {
        return buffers.memory();
    }

    EncoderCache encoderCache() {
        return vision.encoderCache();
    }

    long kvBytesCopied() {
        return copies.totalBytes();
    }

    /** Frees every native buffer (the engine is closing). */
    @Override
    public void close() {
        buffers.close();
        vision.encoderCache().clear();
    }
}
