package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.BlockPool;
import dev.glimpse.serving.engine.kv.BlockStore;
import dev.glimpse.serving.engine.kv.DecodeBatchKv;
import dev.glimpse.serving.engine.kv.KvBlock;
import dev.glimpse.serving.engine.kv.KvCacheManager;
import dev.glimpse.serving.engine.kv.KvCopyCounter;
import dev.glimpse.serving.engine.kv.KvSlabPool;
import dev.glimpse.serving.engine.kv.SequenceKv;
import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sampling.Sampler;
import dev.glimpse.serving.engine.sched.EngineInvariants;
import dev.glimpse.serving.engine.sched.RequestState;
import dev.glimpse.serving.engine.sched.Scheduler;
import dev.glimpse.serving.engine.sched.SchedulerConfig;
import dev.glimpse.serving.engine.sched.SchedulerOutput;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One engine step, on the engine thread: expire, schedule, encode images, run prefill chunks, run
 * the decode batch, sample, finish.
 *
 * <p>A decoder run gives every row the same number of new positions (both decoder styles), so a
 * step runs fresh prompts computed whole as batched {@code [B, T]} runs of equal length, any other
 * prefill chunk (after a prefix hit, or cut by the token budget) as its own {@code B = 1} run, and
 * then all decoding sequences as one batched {@code T = 1} run.
 */
final class EngineCore {
    /**
     * Bound of the pool of KV buffers (finished prefills, outgrown batch buffers) reused by the
     * next ones; a buffer of a big model is larger than the bound and is simply left to the
     * collector.
     */
    private static final long KV_POOL_BYTES = 64L << 20;

    private final EngineConfig config;
    private final ModelExecutor executor;
    private final PromptEncoder prompts;
    private final EngineMetrics metrics;
    private final Executor completions;
    private final AtomicInteger numQueued;
    private final LongSupplier nanoTime;
    private final ModelShape shape;
    private final KvCacheManager kv;
    private final Scheduler scheduler;
    private final KvCopyCounter copies = new KvCopyCounter();
    private final BlockStore blockStore;
    private final DecodeBatchKv batch;
    private final KvSlabPool kvSlabs;
    private final VisualTokenProvider vision;
    private final Map<String, ActiveRequest> owners = new HashMap<>();
    private final List<ActiveRequest> active = new ArrayList<>();

    private volatile long numSteps;
    private volatile long numDecodeSteps;
    private volatile long numPlainDecodeSteps;
    private volatile long kvBytesCopiedInPlainDecodeSteps;
    private volatile long numGeneratedTokens;
    private volatile long numPrefixQueryTokens;
    private volatile long numPrefixHitTokens;
    private long lastReportedCopies;
    private volatile long prefillNanos;
    private volatile long decodeNanos;
    private volatile long rebuildNanos;
    private volatile long numGroupedPrefills;

    EngineCore(
            EngineConfig config,
            ModelExecutor executor,
            PromptEncoder prompts,
            EngineMetrics metrics,
            Executor completions,
            AtomicInteger numQueued,
            LongSupplier nanoTime) {
        this.config = config;
        this.executor = executor;
        this.prompts = prompts;
        this.metrics = metrics;
        this.completions = completions;
        this.numQueued = numQueued;
        this.nanoTime = nanoTime;
        this.shape = executor.shape();
        this.kv =
                new KvCacheManager(
                        new BlockPool(config.numKvBlocks()),
                        config.blockSize(),
                        config.prefixCaching());
        this.scheduler =
                new Scheduler(
                        new SchedulerConfig(config.maxNumBatchedTokens(), config.maxNumSeqs()), kv);
        this.blockStore =
                config.prefixCaching()
                        ? new BlockStore(
                                shape.kv(), config.numKvBlocks(), config.blockSize(), copies)
                        : null;
        this.kvSlabs = new KvSlabPool(KV_POOL_BYTES);
        this.batch = new DecodeBatchKv(shape.kv(), copies, kvSlabs);
        this.vision = new VisualTokenProvider(config, executor, metrics, nanoTime);
    }

    void add(ActiveRequest req) {
        active.add(req);
        for (Sequence s : req.sequences) {
            owners.put(s.id(), req);
        }
        // Moderation: only the first category runs at first; the others follow once its prompt
        // blocks are published, so they hit the shared [instruction + image] prefix.
        scheduler.addWaiting(req.sequences.get(0));
    }

    boolean hasWork() {
        return !active.isEmpty();
    }

    /** Earliest deadline among active requests, or Long.MAX_VALUE. */
    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (ActiveRequest r : active) {
            d = Math.min(d, r.deadlineNanos);
        }
        return d;
    }

    /** Runs one step; returns false when there was nothing to compute. */
    boolean step() {
        expire(nanoTime.getAsLong());
        SchedulerOutput out = scheduler.schedule();
        if (out.isEmpty()) {
            if (batch.batchSize() > 0 && scheduler.numRunning() == 0) {
                batch.rebuild(List.of(), 0);
            }
            publishGauges();
            return false;
        }
        numSteps++;
        metrics.step(out.numScheduledTokens().size());
        numPrefixQueryTokens += out.numPrefixQueryTokens();
        numPrefixHitTokens += out.numPrefixHitTokens();
        metrics.prefixCache(out.numPrefixQueryTokens(), out.numPrefixHitTokens());
        for (Sequence seq : out.admitted()) {
            onAdmitted(seq);
        }
        vision.provide(out.admitted(), owners, this::abort);
        List<Sequence> decoding = new ArrayList<>();
        // Fresh prompts computed whole in this step are batched by length: equal T and no past
        // is the one case the concat graph can run as one batch without padding.
        Map<Integer, List<Sequence>> freshByLength = new LinkedHashMap<>();
        for (Map.Entry<Sequence, Integer> e : out.numScheduledTokens().entrySet()) {
            Sequence seq = e.getKey();
            if (seq.state() != RequestState.RUNNING) {
                continue; // failed earlier in this step
            }
            if (!seq.isPrefilling()) {
                decoding.add(seq);
            } else if (seq.numComputedTokens() == 0 && e.getValue() == seq.promptLength()) {
                freshByLength.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(seq);
            } else {
                prefill(seq, e.getValue());
            }
        }
        for (List<Sequence> sameLength : freshByLength.values()) {
            int rowsPerRun =
                    Math.max(1, config.maxTokensPerPrefillRun() / sameLength.get(0).promptLength());
            for (int from = 0; from < sameLength.size(); from += rowsPerRun) {
                List<Sequence> group =
                        sameLength.subList(from, Math.min(sameLength.size(), from + rowsPerRun));
                if (group.size() == 1) {
                    prefill(group.get(0), group.get(0).promptLength());
                } else {
                    prefillGroup(new ArrayList<>(group));
                }
            }
        }
        decoding.removeIf(s -> s.state() != RequestState.RUNNING);
        if (!decoding.isEmpty()) {
            decode(decoding);
        } else if (batch.batchSize() > 0) {
            batch.rebuild(List.of(), 0); // every row left: drop them (copies nothing)
        }
        publishGauges();
        if (config.validateInvariants()) {
            List<String> violations = EngineInvariants.validate(scheduler);
            if (!violations.isEmpty()) {
                throw new IllegalStateException("engine invariants violated: " + violations);
            }
        }
        return true;
    }

    private void publishGauges() {
        metrics.queues(scheduler.numWaiting(), scheduler.numRunning(), kv.usage());
        long total = copies.totalBytes();
        metrics.kvCopied(total - lastReportedCopies);
        lastReportedCopies = total;
    }

    private void onAdmitted(Sequence seq) {
        ActiveRequest req = owners.get(seq.id());
        if (!req.started) {
            req.started = true;
            req.admittedNanos = nanoTime.getAsLong();
            numQueued.decrementAndGet();
        }
        if (seq.numCachedTokens() > 0) {
            SequenceKv seqKv = new SequenceKv(shape.kv(), seq.promptLength(), kvSlabs);
            List<KvBlock> hits =
                    kv.blocksOf(seq.id()).subList(0, seq.numCachedTokens() / config.blockSize());
            blockStore.load(seqKv, hits);
            seq.setPrefillKv(seqKv, 0);
        }
    }

    private void prefill(Sequence seq, int n) {
        ActiveRequest req = owners.get(seq.id());
        int start = seq.numComputedTokens();
        int[] ids = new int[n];
        for (int t = 0; t < n; t++) {
            ids[t] = seq.tokenAt(start + t);
        }
        if (seq.prefillKv() == null) {
            seq.setPrefillKv(new SequenceKv(shape.kv(), seq.promptLength(), kvSlabs), 0);
        }
        float[] logits;
        long t0 = nanoTime.getAsLong();
        try {
            float[] embeds = executor.embed(ids, List.of(req.id()));
            placeVisualTokens(seq, embeds, start, n);
            logits =
                    executor.decode(
                            seq.prefillKv(), embeds, n, List.of(req.id()), ExecutionStage.PREFILL);
            prefillNanos += nanoTime.getAsLong() - t0;
        } catch (ExecutionFailedException e) {
            metrics.error(e.stage().label());
            abort(req, RequestState.FINISHED_FAILED, e);
            return;
        }
        seq.advanceComputed(n);
        publishBlocks(seq);
        if (!seq.isPrefilling()) {
            onLogits(seq, logits, 0);
        }
    }

    /** Prefills fresh sequences of equal prompt length in one {@code [B, T]} run. */
    private void prefillGroup(List<Sequence> group) {
        int n = group.get(0).promptLength();
        int d = shape.hiddenSize();
        List<String> ids = new ArrayList<>();
        int[] tokens = new int[group.size() * n];
        for (int r = 0; r < group.size(); r++) {
            Sequence seq = group.get(r);
            ids.add(owners.get(seq.id()).id());
            for (int t = 0; t < n; t++) {
                tokens[r * n + t] = seq.tokenAt(t);
            }
        }
        // takes from the pool but is left to the collector: its rows move out one by one
        DecodeBatchKv groupKv = new DecodeBatchKv(shape.kv(), copies, kvSlabs);
        List<String> seqIds = new ArrayList<>();
        group.forEach(s -> seqIds.add(s.id()));
        groupKv.resetEmpty(seqIds, n);
        float[] logits;
        long t0 = nanoTime.getAsLong();
        try {
            float[] embeds = executor.embed(tokens, ids);
            for (int r = 0; r < group.size(); r++) {
                float[] row = new float[n * d];
                System.arraycopy(embeds, r * n * d, row, 0, n * d);
                placeVisualTokens(group.get(r), row, 0, n);
                System.arraycopy(row, 0, embeds, r * n * d, n * d);
            }
            logits = executor.decode(groupKv, embeds, n, ids, ExecutionStage.PREFILL);
            prefillNanos += nanoTime.getAsLong() - t0;
        } catch (ExecutionFailedException e) {
            metrics.error(e.stage().label());
            for (Sequence seq : group) {
                abort(owners.get(seq.id()), RequestState.FINISHED_FAILED, e);
            }
            return;
        }
        numGroupedPrefills += group.size();
        int v = shape.vocabSize();
        for (int r = 0; r < group.size(); r++) {
            Sequence seq = group.get(r);
            if (seq.state() != RequestState.RUNNING) {
                continue;
            }
            seq.setPrefillKv(groupKv, r);
            seq.advanceComputed(n);
            publishBlocks(seq);
            onLogits(seq, logits, r * v);
        }
    }

    /** Publishes the sequence's newly full prompt blocks to the prefix cache (one copy each). */
    private void publishBlocks(Sequence seq) {
        for (var published :
                kv.cacheFullBlocks(
                        seq.id(),
                        seq.promptBlockHashes(),
                        seq.numComputedTokens() / config.blockSize())) {
            blockStore.store(
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
        int k = java.util.Arrays.binarySearch(vis, start);
        if (k < 0) {
            k = -k - 1;
        }
        for (; k < vis.length && vis[k] < start + n; k++) {
            System.arraycopy(seq.visualTokens(), k * d, embeds, (vis[k] - start) * d, d);
        }
    }

    private void decode(List<Sequence> rows) {
        List<String> wanted = new ArrayList<>(rows.size());
        for (Sequence s : rows) {
            wanted.add(s.id());
        }
        boolean plain = batch.rowIds().equals(wanted);
        if (!plain) {
            long t0 = nanoTime.getAsLong();
            List<String> current = batch.rowIds();
            List<DecodeBatchKv.RowSource> sources = new ArrayList<>();
            int headroom = 0;
            for (Sequence s : rows) {
                int idx = current.indexOf(s.id());
                sources.add(
                        idx >= 0
                                ? new DecodeBatchKv.RowSource(s.id(), batch, idx)
                                : new DecodeBatchKv.RowSource(
                                        s.id(), s.prefillKv(), s.prefillRow()));
                headroom = Math.max(headroom, s.maxNewTokens() - s.numOutputTokens());
            }
            batch.rebuild(sources, headroom);
            for (Sequence s : rows) {
                // its KV now lives in the batch; a group's shared buffer is freed by the collector
                // once no sequence refers to it
                dropPrefillKv(s);
            }
            rebuildNanos += nanoTime.getAsLong() - t0;
        }
        long copiedBefore = copies.totalBytes();
        int[] ids = new int[rows.size()];
        List<String> reqIds = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            ids[r] = rows.get(r).tokenAt(rows.get(r).numComputedTokens());
            reqIds.add(owners.get(rows.get(r).id()).id());
        }
        float[] logits;
        long t1 = nanoTime.getAsLong();
        try {
            float[] embeds = executor.embed(ids, reqIds);
            logits = executor.decode(batch, embeds, 1, reqIds, ExecutionStage.DECODE);
            decodeNanos += nanoTime.getAsLong() - t1;
        } catch (ExecutionFailedException e) {
            metrics.error(e.stage().label());
            batch.release();
            for (Sequence s : rows) {
                abort(owners.get(s.id()), RequestState.FINISHED_FAILED, e);
            }
            return;
        }
        numDecodeSteps++;
        if (plain) {
            numPlainDecodeSteps++;
            kvBytesCopiedInPlainDecodeSteps += copies.totalBytes() - copiedBefore;
        }
        int v = shape.vocabSize();
        for (int r = 0; r < rows.size(); r++) {
            rows.get(r).advanceComputed(1);
            onLogits(rows.get(r), logits, r * v);
        }
    }

    private void onLogits(Sequence seq, float[] logits, int offset) {
        ActiveRequest req = owners.get(seq.id());
        long now = nanoTime.getAsLong();
        numGeneratedTokens++;
        metrics.tokens(1);
        if (req.request.task() == Task.MODERATION) {
            int child = req.sequences.indexOf(seq);
            req.probabilityYes[child] =
                    Sampler.probabilityYes(
                            logits, offset, prompts.yesTokenId(), prompts.noTokenId());
            seq.setFirstTokenNanos(now);
            finish(seq, RequestState.FINISHED_SCORED);
            if (!req.siblingsQueued) {
                req.siblingsQueued = true;
                for (int i = 1; i < req.sequences.size(); i++) {
                    scheduler.addWaiting(req.sequences.get(i));
                }
            }
        } else {
            SamplingParams p = seq.sampling();
            int token =
                    p.isGreedy()
                            ? Sampler.argmax(logits, offset, shape.vocabSize())
                            : Sampler.sampleTopP(
                                    logits,
                                    offset,
                                    shape.vocabSize(),
                                    p.temperature(),
                                    p.topP(),
                                    seq.rng());
            if (seq.numOutputTokens() == 0 && seq.firstTokenNanos() == 0) {
                seq.setFirstTokenNanos(now);
                metrics.firstToken(now - req.submitNanos);
            } else {
                metrics.interTokenGap(now - req.lastTokenNanos);
            }
            req.lastTokenNanos = now;
            if (seq.isStopToken(token)) {
                finish(seq, RequestState.FINISHED_STOPPED);
            } else {
                seq.appendOutputToken(token);
                if (seq.numOutputTokens() >= seq.maxNewTokens()) {
                    finish(seq, RequestState.FINISHED_LENGTH);
                }
            }
        }
        maybeComplete(req);
    }

    private void finish(Sequence seq, RequestState state) {
        scheduler.finish(seq, state);
        dropPrefillKv(seq);
    }

    private void dropPrefillKv(Sequence seq) {
        if (seq.prefillKv() instanceof SequenceKv own) {
            own.release(); // a group's shared buffer stays: other rows may still read it
        }
        seq.setPrefillKv(null, 0);
    }

    private void maybeComplete(ActiveRequest req) {
        if (req.done) {
            return;
        }
        for (Sequence s : req.sequences) {
            if (!s.state().isFinished()) {
                return;
            }
        }
        long now = nanoTime.getAsLong();
        Task task = req.request.task();
        Sequence first = req.sequences.get(0);
        EngineResult result;
        int promptTokens = 0;
        int cached = 0;
        long lastFirstToken = 0;
        for (Sequence s : req.sequences) {
            promptTokens += s.promptLength();
            cached += s.numCachedTokens();
            lastFirstToken = Math.max(lastFirstToken, s.firstTokenNanos());
        }
        if (task == Task.MODERATION) {
            List<CategoryScore> scores = new ArrayList<>();
            for (int i = 0; i < req.categories.size(); i++) {
                double p = req.probabilityYes[i];
                scores.add(
                        new CategoryScore(
                                req.categories.get(i), p, p >= prompts.moderationThreshold()));
            }
            result =
                    new EngineResult(
                            req.id(),
                            task,
                            "",
                            List.of(),
                            scores,
                            FinishReason.SCORED,
                            promptTokens,
                            cached,
                            lastFirstToken - req.submitNanos,
                            now - req.submitNanos,
                            queuedNanos(req),
                            req.encodeNanos);
        } else {
            List<Integer> tokens = first.outputTokens();
            FinishReason reason =
                    first.state() == RequestState.FINISHED_STOPPED
                            ? FinishReason.STOP
                            : FinishReason.LENGTH;
            result =
                    new EngineResult(
                            req.id(),
                            task,
                            prompts.decode(tokens),
                            tokens,
                            List.of(),
                            reason,
                            promptTokens,
                            cached,
                            first.firstTokenNanos() - req.submitNanos,
                            now - req.submitNanos,
                            queuedNanos(req),
                            req.encodeNanos);
        }
        markDone(req);
        metrics.completed("ok");
        completions.execute(() -> req.future.complete(result));
    }

    private static long queuedNanos(ActiveRequest req) {
        return req.admittedNanos == 0 ? 0 : req.admittedNanos - req.submitNanos;
    }

    private void markDone(ActiveRequest req) {
        req.done = true;
        active.remove(req);
        for (Sequence s : req.sequences) {
            owners.remove(s.id());
        }
        if (!req.started) {
            req.started = true;
            numQueued.decrementAndGet();
        }
    }

    /** Ends every unfinished sequence of the request in {@code state} and fails its future. */
    void abort(ActiveRequest req, RequestState state, Throwable error) {
        if (req.done) {
            return;
        }
        for (Sequence s : req.sequences) {
            if (!s.state().isFinished()) {
                finish(s, state);
            }
        }
        markDone(req);
        metrics.completed(
                state.name().substring("FINISHED_".length()).toLowerCase(java.util.Locale.ROOT));
        if (error != null) {
            completions.execute(() -> req.future.completeExceptionally(error));
        }
    }

    private void expire(long now) {
        for (ActiveRequest req : List.copyOf(active)) {
            if (req.future.isCancelled()) {
                abort(req, RequestState.FINISHED_CANCELLED, null);
            } else if (now >= req.deadlineNanos) {
                abort(
                        req,
                        RequestState.FINISHED_DEADLINE,
                        new DeadlineExceededException(
                                req.id(), req.request.timeout().orElseThrow()));
            }
        }
    }

    /** Fails everything still active (engine closing) and drops native buffers. */
    void shutdown() {
        for (ActiveRequest req : List.copyOf(active)) {
            abort(req, RequestState.FINISHED_CLOSED, new EngineClosedException(req.id()));
        }
        batch.release();
        kvSlabs.clear();
        if (blockStore != null) {
            blockStore.release();
        }
        vision.encoderCache().clear();
    }

    /** Fails every active request after an unexpected error in a step; the engine goes on. */
    void failAll(RuntimeException error) {
        for (ActiveRequest req : List.copyOf(active)) {
            abort(req, RequestState.FINISHED_FAILED, error);
        }
        batch.release();
    }

    EngineStats stats(long numRejected) {
        return new EngineStats(
                numSteps,
                numDecodeSteps,
                numPlainDecodeSteps,
                copies.totalBytes(),
                kvBytesCopiedInPlainDecodeSteps,
                numGeneratedTokens,
                numPrefixQueryTokens,
                numPrefixHitTokens,
                vision.encoderCache().numQueries(),
                vision.encoderCache().numHits(),
                vision.numVisionRuns(),
                vision.numImagesEncoded(),
                numRejected,
                vision.visionNanos(),
                prefillNanos,
                decodeNanos,
                rebuildNanos,
                numGroupedPrefills,
                kv.pool().numEvictions());
    }

    Scheduler scheduler() {
        return scheduler;
    }
}
