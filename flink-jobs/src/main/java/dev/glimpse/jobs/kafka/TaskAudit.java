package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ReasonCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's accounting per task, beside {@link DeliveryAudit}'s overall line: for each task, the
 * events sent, their results, their dead letters, those skipped on purpose (a {@code STALE_SKIPPED}
 * dead letter or a frame-gate skip record) and those with no outcome yet, and the latency of the
 * results: from the event's time to the result ({@code timings.endToEndMs} when the result carries
 * it, else the time the reader received it minus the event time).
 *
 * <p>An event counts once by its first outcome; an outcome for an id not sent here is ignored. An
 * event is kept only until its first outcome; then only its latency remains (a {@code long}), so
 * the audit of a long run stays small. {@code sent} counts the events handed to the producer less
 * those it or the broker {@link #refused}, so once every send is answered it is the overall line's
 * acknowledged {@code sent}. Register it as an {@link OutputTopicsReader.Listener} (a {@link
 * ReaderThread} reads the topics for it). Thread-safe: producers call {@link #sent} from any thread
 * while the reader thread counts.
 */
public final class TaskAudit implements OutputTopicsReader.Listener {

    /** One task's figures; {@link #line()} is the demo's per-task audit line. */
    public record TaskReport(
            AnalysisTask task,
            long sent,
            long results,
            long dead,
            long skipped,
            long missing,
            long p50Ms,
            long p99Ms) {

        /** {@code Task OCR: sent=N results=R dead=D skipped=S missing=M p50=Ams p99=Bms}. */
        public String line() {
            return String.format(
                    Locale.ROOT,
                    "Task %s: sent=%d results=%d dead=%d skipped=%d missing=%d p50=%s p99=%s",
                    task.name(),
                    sent,
                    results,
                    dead,
                    skipped,
                    missing,
                    results == 0 ? "-" : p50Ms + "ms",
                    results == 0 ? "-" : p99Ms + "ms");
        }
    }

    private static final int SENT = 0;
    private static final int RESULTS = 1;
    private static final int DEAD = 2;
    private static final int SKIPPED = 3;

    private record Sent(AnalysisTask task, long eventTimeMillis) {}

    private final Map<String, Sent> pending = new HashMap<>();
    private final long[][] counts = new long[AnalysisTask.values().length][4];
    private final long[][] latencies = new long[AnalysisTask.values().length][64];
    private final int[] numLatencies = new int[AnalysisTask.values().length];

    /** Sent events with no outcome yet, all tasks together. */
    public synchronized long missing() {
        return pending.size();
    }

    /**
     * An event handed to the producer for {@code task}, made at {@code eventTimeMillis}; it counts
     * as sent unless {@link #refused} follows.
     */
    public synchronized void sent(String eventId, AnalysisTask task, long eventTimeMillis) {
        if (pending.putIfAbsent(eventId, new Sent(task, eventTimeMillis)) == null) {
            counts[task.ordinal()][SENT]++;
        }
    }

    /**
     * The broker (or the producer) refused an event handed earlier: it was never sent, so it leaves
     * {@code sent} and {@code missing}, as it does in {@link DeliveryAudit}'s line.
     */
    public synchronized void refused(String eventId) {
        Sent s = pending.remove(eventId);
        if (s != null) {
            counts[s.task().ordinal()][SENT]--;
        }
    }

    @Override
    public synchronized void onResult(AnalysisResult result, long receivedAtMillis) {
        Sent s = pending.remove(result.getEventId());
        if (s == null) {
            return;
        }
        int t = s.task().ordinal();
        counts[t][RESULTS]++;
        double endToEnd = result.getTimings() == null ? 0 : result.getTimings().getEndToEndMs();
        long ms =
                endToEnd > 0
                        ? Math.round(endToEnd)
                        : Math.max(0, receivedAtMillis - s.eventTimeMillis());
        if (numLatencies[t] == latencies[t].length) {
            latencies[t] = Arrays.copyOf(latencies[t], 2 * latencies[t].length);
        }
        latencies[t][numLatencies[t]++] = ms;
    }

    @Override
    public void onSkipped(AnalysisResult skip, long receivedAtMillis) {
        record(skip.getEventId(), SKIPPED);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis) {
        record(
                deadLetter.getEventId(),
                deadLetter.getReason() == ReasonCode.STALE_SKIPPED ? SKIPPED : DEAD);
    }

    /** The figures now, one per task in {@link AnalysisTask} order. */
    public synchronized List<TaskReport> report() {
        long[] missing = new long[AnalysisTask.values().length];
        pending.values().forEach(s -> missing[s.task().ordinal()]++);
        List<TaskReport> reports = new ArrayList<>();
        for (AnalysisTask task : AnalysisTask.values()) {
            int t = task.ordinal();
            long[] sorted = Arrays.copyOf(latencies[t], numLatencies[t]);
            Arrays.sort(sorted);
            long[] c = counts[t];
            reports.add(
                    new TaskReport(
                            task,
                            c[SENT],
                            c[RESULTS],
                            c[DEAD],
                            c[SKIPPED],
                            missing[t],
                            percentile(sorted, 50),
                            percentile(sorted, 99)));
        }
        return reports;
    }

    /** The nearest-rank percentile of sorted {@code values}; 0 when there are none. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private synchronized void record(String id, int outcome) {
        Sent s = id == null ? null : pending.remove(id);
        if (s != null) {
            counts[s.task().ordinal()][outcome]++;
        }
    }
}
