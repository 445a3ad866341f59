package dev.glimpse.serving.engine.sched;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step's plan: tokens to compute per sequence (running sequences first, in order), which
 * sequences were admitted this step, which were taken off the queue because the KV pool can never
 * hold them (still WAITING: the caller fails them), and prefix-cache statistics of the admissions.
 */
public record SchedulerOutput(
        Map<Sequence, Integer> numScheduledTokens,
        List<Sequence> admitted,
        List<Sequence> rejected,
        int numPrefixQueryTokens,
        int numPrefixHitTokens) {
    public SchedulerOutput {
        numScheduledTokens = Collections.unmodifiableMap(new LinkedHashMap<>(numScheduledTokens));
        admitted = List.copyOf(admitted);
        rejected = List.copyOf(rejected);
    }

    /** A plan without rejections. */
    public SchedulerOutput(
            Map<Sequence, Integer> numScheduledTokens,
            List<Sequence> admitted,
            int numPrefixQueryTokens,
            int numPrefixHitTokens) {
        this(numScheduledTokens, admitted, List.of(), numPrefixQueryTokens, numPrefixHitTokens);
    }

    public boolean isEmpty() {
        return numScheduledTokens.isEmpty();
    }

    public int totalTokens() {
        return numScheduledTokens.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {sequence id: tokens}, for tests and logs. */
    public Map<String, Integer> byId() {
        Map<String, Integer> m = new LinkedHashMap<>();
        numScheduledTokens.forEach((s, n) -> m.put(s.id(), n));
        return m;
    }
}
