package dev.glimpse.serving.engine.sched;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The scheduler's waiting sequences: one queue per priority (lower value first), each ordered by
 * arrival (oldest first; a moderation request's categories share their request's arrival, so a
 * request's later categories go before newer requests of the same priority). Answers the two
 * candidates the admission rule chooses between: the head of the most urgent priority and the
 * oldest head of all. Engine thread only.
 */
final class WaitingQueue {
    private static final Comparator<Entry> BY_ARRIVAL =
            Comparator.comparingLong(Entry::arrival).thenComparingLong(Entry::insertion);

    private record Entry(Sequence seq, long arrival, long insertion) {}

    private final TreeMap<Integer, PriorityQueue<Entry>> byPriority = new TreeMap<>();
    private long insertions;
    private long nextArrival;
    private int size;

    /** Queues {@code seq}; one without an arrival gets the next one (submit order). */
    void add(Sequence seq) {
        if (seq.arrival() < 0) {
            seq.setPriority(seq.priority(), nextArrival);
        }
        nextArrival = Math.max(nextArrival, seq.arrival() + 1);
        byPriority
                .computeIfAbsent(seq.priority(), p -> new PriorityQueue<>(BY_ARRIVAL))
                .add(new Entry(seq, seq.arrival(), insertions++));
        size++;
    }

    /** The oldest sequence of the most urgent priority; null when empty. */
    Sequence mostUrgent() {
        return byPriority.isEmpty() ? null : byPriority.firstEntry().getValue().peek().seq();
    }

    /** The oldest sequence of all priorities; null when empty. */
    Sequence oldest() {
        Entry best = null;
        for (PriorityQueue<Entry> q : byPriority.values()) {
            Entry head = q.peek();
            if (best == null || BY_ARRIVAL.compare(head, best) < 0) {
                best = head;
            }
        }
        return best == null ? null : best.seq();
    }

    /** Removes {@code seq}; false if it was not queued. */
    boolean remove(Sequence seq) {
        PriorityQueue<Entry> q = byPriority.get(seq.priority());
        if (q == null || !q.removeIf(e -> e.seq() == seq)) {
            return false;
        }
        if (q.isEmpty()) {
            byPriority.remove(seq.priority());
        }
        size--;
        return true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Every waiting sequence, most urgent priority first, oldest first within a priority. */
    List<Sequence> inOrder() {
        List<Sequence> out = new ArrayList<>(size);
        for (Map.Entry<Integer, PriorityQueue<Entry>> level : byPriority.entrySet()) {
            level.getValue().stream().sorted(BY_ARRIVAL).forEach(e -> out.add(e.seq()));
        }
        return out;
    }
}
