package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Accounts for every event sent to the job: each sent event id must come back exactly once on the
 * committed ({@code read_committed}) output topics, as an analysis, a dead letter or a frame-gate
 * skip record. Register it as an {@link OutputTopicsReader.Listener} (a {@link ReaderThread} reads
 * the topics for it).
 *
 * <p>Thread-safe: producers call {@link #sent} from any thread while the reader counts.
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

    private final Map<String, Future<?>> acks = new ConcurrentHashMap<>();
    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> unsent = new ConcurrentHashMap<>();
    private final Map<String, Integer> committed = new ConcurrentHashMap<>();
    private final Map<String, Integer> dead = new ConcurrentHashMap<>();
    private final Map<String, Integer> skipped = new ConcurrentHashMap<>();

    /** An event handed to the producer; it counts as sent once {@code ack} succeeds. */
    public void sent(String eventId, Future<?> ack) {
        acks.put(eventId, ack);
    }

    /** An event the broker acknowledged. */
    public void sent(String eventId) {
        sent.add(eventId);
    }

    @Override
    public void onResult(AnalysisResult result, long receivedAtMillis) {
        committed.merge(result.getEventId(), 1, Integer::sum);
    }

    @Override
    public void onSkipped(AnalysisResult skip, long receivedAtMillis) {
        skipped.merge(skip.getEventId(), 1, Integer::sum);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis) {
        if (deadLetter.getEventId() != null) {
            dead.merge(deadLetter.getEventId(), 1, Integer::sum);
        }
    }

    /** Sent events with no record on the output topics yet. */
    public long missing() {
        resolveAcks(Duration.ZERO);
        return sent.stream().filter(id -> outputs(id) == 0).count();
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

    /** The figures now; {@code restarts} comes from Flink (the job's numRestarts). */
    public Report report(long restarts) {
        resolveAcks(Duration.ZERO);
        long committedEvents = 0;
        long deadEvents = 0;
        long skippedEvents = 0;
        long missing = 0;
        long duplicates = 0;
        for (String id : sent) {
            int c = committed.getOrDefault(id, 0);
            int d = dead.getOrDefault(id, 0);
            int s = skipped.getOrDefault(id, 0);
            committedEvents += c > 0 ? 1 : 0;
            deadEvents += d > 0 ? 1 : 0;
            skippedEvents += s > 0 ? 1 : 0;
            missing += c + d + s == 0 ? 1 : 0;
            duplicates += c + d + s > 1 ? 1 : 0;
        }
        return new Report(
                sent.size(),
                committedEvents,
                deadEvents,
                skippedEvents,
                missing,
                duplicates,
                restarts,
                unsent.size());
    }

    private int outputs(String id) {
        return committed.getOrDefault(id, 0)
                + dead.getOrDefault(id, 0)
                + skipped.getOrDefault(id, 0);
    }

    /** Moves acknowledged sends to {@code sent} and failed ones to {@code unsent}. */
    private void resolveAcks(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Map.Entry<String, Future<?>> e : acks.entrySet()) {
            Future<?> ack = e.getValue();
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!ack.isDone() && left == 0) {
                    continue;
                }
                ack.get(left, TimeUnit.NANOSECONDS);
                sent.add(e.getKey());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.TimeoutException notYet) {
                continue;
            } catch (Exception failed) {
                unsent.put(e.getKey(), 1);
            }
            acks.remove(e.getKey());
        }
    }
}
