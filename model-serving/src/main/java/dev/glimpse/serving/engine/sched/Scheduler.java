package dev.glimpse.serving.engine.sched;

import dev.glimpse.serving.engine.kv.KvBlock;
import dev.glimpse.serving.engine.kv.KvCacheManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides one thing per step: how many tokens each sequence computes ({@code {sequence:
 * numTokens}}), within {@code maxNumBatchedTokens} and {@code maxNumSeqs}. Running sequences come
 * first, in admission order, each asking for {@code numTokens - numComputedTokens} (1 when
 * decoding, the rest of the prompt when prefilling, cut to the remaining budget: that is chunked
 * prefill). Then waiting sequences are admitted first-come-first-served while the budget, the
 * sequence limit and the KV pool allow; admission reserves KV for the sequence's whole lifetime
 * ({@code prompt + maxNewTokens}), so a running sequence never runs out and nothing is preempted. A
 * head that does not fit while nothing runs can never fit (every block is then free or an evictable
 * cached one): it is taken off the queue and returned as rejected, never left to block the queue.
 * Engine thread only.
 */
public final class Scheduler {
    private final SchedulerConfig config;
    private final KvCacheManager kv;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();

    public Scheduler(SchedulerConfig config, KvCacheManager kv) {
        this.config = config;
        this.kv = kv;
    }

    public void addWaiting(Sequence seq) {
        if (seq.state() != RequestState.WAITING) {
            throw new IllegalArgumentException("only WAITING sequences can be queued, got " + seq);
        }
        waiting.addLast(seq);
    }

    public SchedulerOutput schedule() {
        int budget = config.maxNumBatchedTokens();
        Map<Sequence, Integer> plan = new LinkedHashMap<>();
        for (Sequence seq : running) {
            if (budget == 0) {
                break;
            }
            int n = Math.min(seq.numTokens() - seq.numComputedTokens(), budget);
            if (n > 0) {
                plan.put(seq, n);
                budget -= n;
            }
        }
        List<Sequence> admitted = new ArrayList<>();
        List<Sequence> rejected = new ArrayList<>();
        int queried = 0;
        int hit = 0;
        while (!waiting.isEmpty() && budget > 0 && running.size() < config.maxNumSeqs()) {
            Sequence seq = waiting.peekFirst();
            List<KvBlock> hits = kv.getComputedBlocks(seq.promptBlockHashes(), seq.promptLength());
            if (!kv.allocateSlots(seq.id(), seq.maxTotalTokens(), hits)) {
                if (running.isEmpty()) {
                    waiting.pollFirst(); // nothing holds a block: it can never fit
                    rejected.add(seq);
                    continue;
                }
                break; // the head waits for KV space; no overtaking keeps admission fair
            }
            waiting.pollFirst();
            int cached = hits.size() * kv.blockSize();
            seq.admit(cached);
            running.add(seq);
            admitted.add(seq);
            queried += seq.promptLength();
            hit += cached;
            int n = Math.min(seq.promptLength() - cached, budget);
            plan.put(seq, n);
            budget -= n;
        }
        return new SchedulerOutput(plan, admitted, rejected, queried, hit);
    }

    /** Moves a sequence to a finished state and releases its KV blocks. */
    public void finish(Sequence seq, RequestState finalState) {
        if (!finalState.isFinished()) {
            throw new IllegalArgumentException("not a finished state: " + finalState);
        }
        seq.transitionTo(finalState);
        if (!running.remove(seq)) {
            waiting.remove(seq);
        }
        kv.free(seq.id());
    }

    public List<Sequence> running() {
        return List.copyOf(running);
    }

    public List<Sequence> waiting() {
        return List.copyOf(waiting);
    }

    public int numRunning() {
        return running.size();
    }

    public int numWaiting() {
        return waiting.size();
    }

    public boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    public SchedulerConfig config() {
        return config;
    }

    public KvCacheManager kvCacheManager() {
        return kv;
    }
}
