package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Accounts for every event sent to the job: each sent event id must come back exactly once on the
 * committed ({@code read_committed}) output topics, as an analysis, a dead letter or a frame-gate
 * skip record. Register it as an {@link OutputTopicsReader.Listener} (a {@link ReaderThread} reads
 * the topics for it).
 *
 * <p>Memory: an event is kept whole only until it is settled (acknowledged and answered); then only
 * a hash of its id and a byte of flags remain ({@link SettledEvents}), so the audit of a long run
 * stays small, and a later record for a settled event still counts as a duplicate.
 *
 * <p>Thread-safe: producers call {@link #handed}, {@link #acknowledged} and {@link #sent} from any
 * thread while the reader counts.
 */
public final class DeliveryAudit implements OutputTopicsReader.Listener {

    /** The audit's figures; {@link #line()} is the demo's one-line summary. */
    public record Report(
            long sent,
            long committed,
            long dead,
            long skipped,
            long missing,
            long duplicates,
            long restarts,
            long unsent) {

        /** {@code Audit: sent=N committed=M dead=D skipped=S missing=X duplicates=Y restarts=R}. */
        public String line() {
            return String.format(
                    Locale.ROOT,
                    "Audit: sent=%d committed=%d dead=%d skipped=%d missing=%d duplicates=%d"
                            + " restarts=%d",
                    sent,
                    committed,
                    dead,
                    skipped,
                    missing,
                    duplicates,
                    restarts);
        }
    }

    private static final int RESULT = 1;
    private static final int DEAD = 2;
    private static final int SKIPPED = 4;
    private static final int DUPLICATE = 8;

    /** An event not settled yet: its acknowledgement and the kinds of output seen so far. */
    private static final class Pending {
        Boolean acked; // null until the broker answered
        int kinds;
        int outputs;
    }

    private final Map<String, Future<?>> acks = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new HashMap<>();
    private final SettledEvents settled = new SettledEvents();
    private long sent;
    private long unsent;
    private long committed;
    private long dead;
    private long skipped;
    private long duplicates;

    /**
     * An event handed to the producer whose acknowledgement comes through a future; it counts as
     * sent once {@code ack} succeeds. Producers that can pass a callback use {@link #handed} and
     * {@link #acknowledged}, which keep no future.
     */
    public void sent(String eventId, Future<?> ack) {
        handed(eventId);
        acks.put(eventId, ack);
    }

    /** An event the broker acknowledged. */
    public void sent(String eventId) {
        handed(eventId);
        acknowledged(eventId, true);
    }

    /** An event handed to the producer; {@link #acknowledged} follows once the broker answers. */
    public synchronized void handed(String eventId) {
        pending.putIfAbsent(eventId, new Pending());
    }

    /** The broker's answer for a handed event: it counts as sent, or as unsent if it failed. */
    public synchronized void acknowledged(String eventId, boolean ok) {
        Pending p = pending.get(eventId);
        if (p == null || p.acked != null) {
            return;
        }
        p.acked = ok;
        if (!ok) {
            unsent++;
            pending.remove(eventId);
            return;
        }
        sent++;
        if (p.outputs > 0) {
            settle(eventId, p);
        }
    }

    @Override
    public void onResult(AnalysisResult result, long receivedAtMillis) {
        output(result.getEventId(), RESULT);
    }

    @Override
    public void onSkipped(AnalysisResult skip, long receivedAtMillis) {
        output(skip.getEventId(), SKIPPED);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis) {
        if (deadLetter.getEventId() != null) {
            output(deadLetter.getEventId(), DEAD);
        }
    }

    /** Sent events with no record on the output topics yet. */
    public long missing() {
        resolveAcks(Duration.ZERO);
        synchronized (this) {
            return pending.values().stream()
                    .filter(p -> Boolean.TRUE.equals(p.acked) && p.outputs == 0)
                    .count();
        }
    }

    /**
     * Waits (at most {@code timeout}) until no sent event is missing, or until nothing new arrived
     * for {@code quiet}; returns the missing count then.
     */
    public long awaitDrained(Duration timeout, Duration quiet) throws InterruptedException {
        resolveAcks(Duration.ofSeconds(30));
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastMissing = missing();
        long lastChange = System.nanoTime();
        while (lastMissing > 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = missing();
            if (now != lastMissing) {
                lastMissing = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > quiet.toNanos()) {
                break;
            }
        }
        return lastMissing;
    }

    /** The figures now; {@code restarts} comes from Flink (FlinkRestClient#numRestarts). */
    public Report report(long restarts) {
        long missing = missing();
        synchronized (this) {
            return new Report(
                    sent, committed, dead, skipped, missing, duplicates, restarts, unsent);
        }
    }

    private synchronized void output(String id, int kind) {
        Pending p = pending.get(id);
        if (p != null) {
            p.outputs++;
            p.kinds |= kind;
            if (Boolean.TRUE.equals(p.acked)) {
                settle(id, p);
            }
            return;
        }
        int flags = settled.get(id);
        if (flags < 0) {
            return; // not sent here
        }
        count(kind & ~flags);
        if ((flags & DUPLICATE) == 0) {
            duplicates++;
        }
        settled.put(id, flags | kind | DUPLICATE);
    }

    private void settle(String id, Pending p) {
        pending.remove(id);
        count(p.kinds);
        boolean duplicate = p.outputs > 1;
        duplicates += duplicate ? 1 : 0;
        settled.put(id, p.kinds | (duplicate ? DUPLICATE : 0));
    }

    /** Counts an event once per kind of output it has. */
    private void count(int kinds) {
        committed += (kinds & RESULT) != 0 ? 1 : 0;
        dead += (kinds & DEAD) != 0 ? 1 : 0;
        skipped += (kinds & SKIPPED) != 0 ? 1 : 0;
    }

    /** Passes the acknowledgements of futures that completed to {@link #acknowledged}. */
    private void resolveAcks(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Map.Entry<String, Future<?>> e : acks.entrySet()) {
            Future<?> ack = e.getValue();
            boolean ok;
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!ack.isDone() && left == 0) {
                    continue;
                }
                ack.get(left, TimeUnit.NANOSECONDS);
                ok = true;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.TimeoutException notYet) {
                continue;
            } catch (Exception failed) {
                ok = false;
            }
            acks.remove(e.getKey());
            acknowledged(e.getKey(), ok);
        }
    }
}
