package dev.glimpse.serving.engine.sched;

import dev.glimpse.serving.engine.kv.KvBlock;
import dev.glimpse.serving.engine.kv.KvCacheManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides one thing per step: how many tokens each sequence computes ({@code {sequence:
 * numTokens}}), within {@code maxNumBatchedTokens} and {@code maxNumSeqs}. Running sequences come
 * first, in admission order, each asking for {@code numTokens - numComputedTokens} (1 when
 * decoding, the rest of the prompt when prefilling, cut to the remaining budget: that is chunked
 * prefill). Then waiting sequences are admitted while the budget, the sequence limit and the KV
 * pool allow; admission reserves KV for the sequence's whole lifetime ({@code prompt +
 * maxNewTokens}), so a running sequence never runs out and nothing is preempted.
 *
 * <p><b>Which waiting sequence is admitted next</b>: the oldest of the most urgent priority (lowest
 * {@link Sequence#priority()}), except that of every {@code oldestFirstEvery} consecutive
 * admissions at least one goes to the oldest waiting sequence of any priority. That bounds
 * starvation: a waiting sequence becomes the oldest after the older ones leave, and the oldest is
 * admitted within {@code oldestFirstEvery} admissions. With equal priorities both rules pick the
 * same sequence: first-come-first-served. The chosen candidate that does not fit the KV pool waits
 * (no overtaking, so a large request is not starved by small ones), unless nothing runs: then every
 * block is free or an evictable cached one, it can never fit, and it is taken off the queue and
 * returned as rejected, never left to block the queue. Engine thread only.
 */
public final class Scheduler {
    private final SchedulerConfig config;
    private final KvCacheManager kv;
    private final WaitingQueue waiting = new WaitingQueue();
    private final List<Sequence> running = new ArrayList<>();
    private int admissionsSinceOldest; // admissions in a row that did not go to the oldest

    public Scheduler(SchedulerConfig config, KvCacheManager kv) {
        this.config = config;
        this.kv = kv;
    }

    public void addWaiting(Sequence seq) {
        if (seq.state() != RequestState.WAITING) {
            throw new IllegalArgumentException("only WAITING sequences can be queued, got " + seq);
        }
        waiting.add(seq);
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
            Sequence oldest = waiting.oldest();
            Sequence seq = waiting.mostUrgent();
            if (seq != oldest && admissionsSinceOldest >= config.oldestFirstEvery() - 1) {
                seq = oldest; // the starvation bound: the oldest's turn
            }
            List<KvBlock> hits = kv.getComputedBlocks(seq.promptBlockHashes(), seq.promptLength());
            if (!kv.allocateSlots(seq.id(), seq.maxTotalTokens(), hits)) {
                if (running.isEmpty()) {
                    waiting.remove(seq); // nothing holds a block: it can never fit
                    rejected.add(seq);
                    continue;
                }
                break; // the candidate waits for KV space; no overtaking keeps admission fair
            }
            waiting.remove(seq);
            admissionsSinceOldest = seq == oldest ? 0 : admissionsSinceOldest + 1;
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

    /** Waiting sequences, most urgent priority first, oldest first within a priority. */
    public List<Sequence> waiting() {
        return waiting.inOrder();
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
