package dev.glimpse.serving.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.SamplingParams;
import dev.glimpse.serving.engine.kv.BlockHasher;
import dev.glimpse.serving.engine.kv.BlockPool;
import dev.glimpse.serving.engine.kv.KvCacheManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private static Sequence seq(String id, int promptLength, int maxNew) {
        int[] t = IntStream.range(100, 100 + promptLength).toArray();
        return new Sequence(
                id,
                id,
                t,
                new int[0],
                List.of(),
                BlockHasher.hashFullBlocks(t, t.length, 4, List.of()),
                maxNew,
                Set.of(),
                SamplingParams.GREEDY);
    }

    private static Scheduler scheduler(int tokens, int seqs, int blocks) {
        return new Scheduler(
                new SchedulerConfig(tokens, seqs),
                new KvCacheManager(new BlockPool(blocks), 4, true));
    }

    /** Pretends the model computed what was planned and sampled token 7 where a prompt ended. */
    private static void execute(SchedulerOutput out) {
        out.numScheduledTokens()
                .forEach(
                        (s, n) -> {
                            s.advanceComputed(n);
                            if (s.numComputedTokens() == s.numTokens()) {
                                s.appendOutputToken(7);
                            }
                        });
    }

    @Test
    void headThePoolCanNeverHoldIsRejectedAtOnceAndDoesNotBlockTheQueue() {
        Scheduler sched = scheduler(64, 4, 4); // 4 blocks of 4 = 16 tokens
        Sequence huge = seq("huge", 14, 3); // 17 tokens: 5 blocks
        Sequence small = seq("small", 6, 2);
        List.of(huge, small).forEach(sched::addWaiting);

        SchedulerOutput out = sched.schedule();
        assertThat(out.rejected()).containsExactly(huge);
        assertThat(huge.state()).isEqualTo(RequestState.WAITING); // the caller fails it
        assertThat(out.byId()).containsExactly(Map.entry("small", 6));
        assertThat(sched.waiting()).isEmpty();
    }

    @Test
    void headThatFitsOnceRunningSequencesFinishWaitsInsteadOfBeingRejected() {
        Scheduler sched = scheduler(64, 4, 4);
        Sequence first = seq("first", 8, 4); // 3 blocks
        Sequence second = seq("second", 8, 4);
        List.of(first, second).forEach(sched::addWaiting);

        SchedulerOutput out = sched.schedule();
        assertThat(out.admitted()).containsExactly(first);
        assertThat(out.rejected()).isEmpty();
        assertThat(sched.waiting()).containsExactly(second);
    }

    @Test
    void runningSequencesComeFirstAndPrefillIsChunkedToTheBudget() {
        Scheduler sched = scheduler(16, 3, 100);
        Sequence a = seq("a", 10, 5);
        Sequence b = seq("b", 10, 5);
        Sequence c = seq("c", 10, 5);
        Sequence d = seq("d", 10, 5);
        List.of(a, b, c, d).forEach(sched::addWaiting);

        SchedulerOutput s1 = sched.schedule();
        assertThat(s1.byId()).containsExactly(Map.entry("a", 10), Map.entry("b", 6));
        assertThat(s1.admitted()).containsExactly(a, b);
        execute(s1);

        SchedulerOutput s2 = sched.schedule();
        // a decodes (1), b finishes its prompt (4), c starts with what is left (11 -> its 10)
        assertThat(s2.byId())
                .containsExactly(Map.entry("a", 1), Map.entry("b", 4), Map.entry("c", 10));
        assertThat(sched.waiting()).containsExactly(d); // maxNumSeqs = 3
        execute(s2);

        SchedulerOutput s3 = sched.schedule();
        assertThat(s3.byId())
                .containsExactly(Map.entry("a", 1), Map.entry("b", 1), Map.entry("c", 1));
        assertThat(EngineInvariants.validate(sched)).isEmpty();
    }

    @Test
    void finishingASequenceAdmitsTheNextOne() {
        Scheduler sched = scheduler(64, 1, 100);
        Sequence a = seq("a", 5, 2);
        Sequence b = seq("b", 5, 2);
        sched.addWaiting(a);
        sched.addWaiting(b);
        execute(sched.schedule());
        assertThat(sched.running()).containsExactly(a);
        sched.finish(a, RequestState.FINISHED_LENGTH);
        SchedulerOutput out = sched.schedule();
        assertThat(out.byId()).containsExactly(Map.entry("b", 5));
        assertThat(sched.kvCacheManager().blocksOf("a")).isEmpty();
    }

    @Test
    void admissionWaitsForKvSpaceWithoutOvertaking() {
        Scheduler sched = scheduler(64, 8, 5); // 20 token slots
        Sequence big = seq("big", 12, 4); // 16 tokens: 4 blocks
        Sequence large = seq("large", 10, 6); // 4 blocks: does not fit next to big
        Sequence small = seq("small", 2, 2); // 1 block: would fit, but must not overtake
        List.of(big, large, small).forEach(sched::addWaiting);
        SchedulerOutput out = sched.schedule();
        assertThat(out.byId()).containsExactly(Map.entry("big", 12));
        assertThat(sched.waiting()).containsExactly(large, small);
        assertThat(large.state()).isEqualTo(RequestState.WAITING);
        assertThat(sched.kvCacheManager().blocksOf("large")).isEmpty();
        assertThat(EngineInvariants.validate(sched)).isEmpty();
    }

    @Test
    void prefixHitCountsAsComputedAndOnlyTheRestIsScheduled() {
        Scheduler sched = scheduler(64, 8, 100);
        Sequence a = seq("a", 10, 2);
        sched.addWaiting(a);
        execute(sched.schedule());
        sched.kvCacheManager().cacheFullBlocks("a", a.promptBlockHashes(), 2);
        Sequence b = seq("b", 10, 2); // same tokens
        sched.addWaiting(b);
        SchedulerOutput out = sched.schedule();
        assertThat(out.byId()).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
        assertThat(b.numCachedTokens()).isEqualTo(8);
        assertThat(out.numPrefixQueryTokens()).isEqualTo(10);
        assertThat(out.numPrefixHitTokens()).isEqualTo(8);
    }

    @Test
    void validatorReportsEveryViolation() {
        Scheduler sched = scheduler(64, 8, 100);
        Sequence a = seq("a", 10, 2);
        sched.addWaiting(a);
        sched.schedule();
        sched.kvCacheManager().free("a"); // corrupt: running without blocks
        assertThat(EngineInvariants.validate(sched))
                .containsExactly(
                        "Sequence[a, RUNNING, computed 0/10] holds 0 blocks, needs 3",
                        "sequences holding KV [] differ from running [a]");
    }

    private static Sequence ranked(String id, int priority, long arrival) {
        Sequence s = seq(id, 4, 1);
        s.setPriority(priority, arrival);
        return s;
    }

    /** Admits one sequence per step (maxNumSeqs 1) and finishes it; the admission order. */
    private static List<String> admissionOrder(Scheduler sched, int steps) {
        List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < steps && sched.hasWork(); i++) {
            SchedulerOutput out = sched.schedule();
            execute(out);
            for (Sequence s : out.admitted()) {
                order.add(s.id());
                sched.finish(s, RequestState.FINISHED_LENGTH);
            }
        }
        return order;
    }

    @Test
    void mostUrgentPriorityIsAdmittedFirstAndEqualPrioritiesInArrivalOrder() {
        Scheduler sched =
                new Scheduler(
                        new SchedulerConfig(64, 1, 100),
                        new KvCacheManager(new BlockPool(64), 4, true));
        // arrival order: ocr1, cap1, mod1, ocr2, mod2 ; priorities moderation 0, caption 1, ocr 2
        List.of(
                        ranked("ocr1", 2, 0),
                        ranked("cap1", 1, 1),
                        ranked("mod1", 0, 2),
                        ranked("ocr2", 2, 3),
                        ranked("mod2", 0, 4))
                .forEach(sched::addWaiting);

        assertThat(sched.waiting())
                .extracting(Sequence::id)
                .containsExactly("mod1", "mod2", "cap1", "ocr1", "ocr2");
        assertThat(admissionOrder(sched, 10))
                .containsExactly("mod1", "mod2", "cap1", "ocr1", "ocr2");
    }

    @Test
    void everyNthAdmissionGoesToTheOldestSoLowPriorityIsNeverStarved() {
        Scheduler sched =
                new Scheduler(
                        new SchedulerConfig(64, 1, 3),
                        new KvCacheManager(new BlockPool(64), 4, true));
        sched.addWaiting(ranked("ocr-old", 2, 0));
        sched.addWaiting(ranked("cap-old", 1, 1));
        for (int i = 0; i < 8; i++) {
            sched.addWaiting(ranked("mod" + i, 0, 2 + i));
        }

        // of every 3 admissions one goes to the oldest waiting: ocr-old, later cap-old
        assertThat(admissionOrder(sched, 20))
                .containsExactly(
                        "mod0", "mod1", "ocr-old", "mod2", "mod3", "cap-old", "mod4", "mod5",
                        "mod6", "mod7");
    }

    @Test
    void theOldestsTurnIsCountedFromTheLastTimeTheOldestWasAdmitted() {
        Scheduler sched =
                new Scheduler(
                        new SchedulerConfig(64, 1, 2),
                        new KvCacheManager(new BlockPool(64), 4, true));
        // the most urgent is also the oldest: its admission resets the count
        List.of(
                        ranked("mod0", 0, 0),
                        ranked("cap", 1, 1),
                        ranked("mod1", 0, 2),
                        ranked("mod2", 0, 3))
                .forEach(sched::addWaiting);

        assertThat(admissionOrder(sched, 10)).containsExactly("mod0", "mod1", "cap", "mod2");
    }

    @Test
    void oldestFirstEveryOneIgnoresPriorities() {
        Scheduler sched =
                new Scheduler(
                        new SchedulerConfig(64, 1, 1),
                        new KvCacheManager(new BlockPool(64), 4, true));
        List.of(ranked("ocr", 2, 0), ranked("cap", 1, 1), ranked("mod", 0, 2))
                .forEach(sched::addWaiting);

        assertThat(admissionOrder(sched, 10)).containsExactly("ocr", "cap", "mod");
    }

    @Test
    void aChosenCandidateThatDoesNotFitTheKvPoolWaitsAndIsNotOvertaken() {
        Scheduler sched = scheduler(64, 4, 5); // 5 blocks of 4 tokens
        Sequence running = seq("running", 6, 2); // 2 blocks
        sched.addWaiting(running);
        sched.schedule();
        Sequence bigUrgent = seq("big", 12, 2); // 4 blocks: does not fit beside running
        bigUrgent.setPriority(0, 10);
        Sequence smallLow = seq("small", 2, 1); // 1 block: would fit
        smallLow.setPriority(2, 11);
        sched.addWaiting(bigUrgent);
        sched.addWaiting(smallLow);

        SchedulerOutput out = sched.schedule();
        assertThat(out.admitted()).isEmpty();
        assertThat(sched.waiting()).containsExactly(bigUrgent, smallLow);
    }

    @Test
    void sequencesWithoutAnArrivalAreQueuedInSubmitOrderAfterTheOnesWithOne() {
        Scheduler sched = scheduler(64, 1, 64);
        Sequence explicit = ranked("explicit", 0, 5);
        Sequence plain = seq("plain", 4, 1);
        sched.addWaiting(explicit);
        sched.addWaiting(plain);

        assertThat(plain.arrival()).isEqualTo(6);
        assertThat(sched.waiting()).containsExactly(explicit, plain);
    }
}
