package dev.glimpse.serving.engine.sched;

import dev.glimpse.serving.engine.kv.KvCacheManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks scheduler and KV bookkeeping against each other; returns every violation found. */
public final class EngineInvariants {
    private EngineInvariants() {}

    public static List<String> validate(Scheduler scheduler) {
        KvCacheManager kv = scheduler.kvCacheManager();
        List<String> v = new ArrayList<>(kv.validate());
        if (scheduler.numRunning() > scheduler.config().maxNumSeqs()) {
            v.add(
                    scheduler.numRunning()
                            + " running sequences exceed maxNumSeqs "
                            + scheduler.config().maxNumSeqs());
        }
        Set<String> running = new HashSet<>();
        for (Sequence s : scheduler.running()) {
            running.add(s.id());
            if (s.state() != RequestState.RUNNING) {
                v.add(s + " is in the running list");
            }
            int need = KvCacheManager.blocksFor(s.maxTotalTokens(), kv.blockSize());
            if (kv.blocksOf(s.id()).size() < need) {
                v.add(s + " holds " + kv.blocksOf(s.id()).size() + " blocks, needs " + need);
            }
            if (s.numComputedTokens() > s.numTokens()) {
                v.add(s + " computed more tokens than it has");
            }
            if (s.numOutputTokens() > s.maxNewTokens()) {
                v.add(s + " generated more than maxNewTokens " + s.maxNewTokens());
            }
        }
        for (Sequence s : scheduler.waiting()) {
            if (s.state() != RequestState.WAITING) {
                v.add(s + " is in the waiting list");
            }
            if (!kv.blocksOf(s.id()).isEmpty()) {
                v.add(s + " waits but holds KV blocks");
            }
        }
        if (!running.equals(kv.sequenceIds())) {
            v.add("sequences holding KV " + kv.sequenceIds() + " differ from running " + running);
        }
        return v;
    }
}
