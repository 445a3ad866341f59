package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ReasonCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's accounting per task, beside {@link DeliveryAudit}'s overall line: for each task, the
 * events sent, their results, their dead letters, those skipped on purpose (a {@code STALE_SKIPPED}
 * dead letter or a frame-gate skip record) and those with no outcome yet, and the latency of the
 * results: from the event's time to the result ({@code timings.endToEndMs} when the result carries
 * it, else the time the reader received it minus the event time).
 *
 * <p>An event counts once by its first outcome; an outcome for an id not sent here is ignored.
 * Register it as an {@link OutputTopicsReader.Listener} (a {@link ReaderThread} reads the topics
 * for it). Thread-safe: producers call {@link #sent} from any thread while the reader thread
 * counts.
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

    private enum Outcome {
        RESULT,
        DEAD,
        SKIPPED
    }

    private record Sent(AnalysisTask task, long eventTimeMillis) {}

    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Long> latencies = new ConcurrentHashMap<>();

    /** Sent events with no outcome yet, all tasks together. */
    public long missing() {
        return sent.keySet().stream().filter(id -> !outcomes.containsKey(id)).count();
    }

    /** An event handed to the producer for {@code task}, made at {@code eventTimeMillis}. */
    public void sent(String eventId, AnalysisTask task, long eventTimeMillis) {
        sent.put(eventId, new Sent(task, eventTimeMillis));
    }

    @Override
    public void onResult(AnalysisResult result, long receivedAtMillis) {
        String id = result.getEventId();
        Sent s = sent.get(id);
        if (s != null && outcomes.putIfAbsent(id, Outcome.RESULT) == null) {
            double endToEnd = result.getTimings() == null ? 0 : result.getTimings().getEndToEndMs();
            latencies.put(
                    id,
                    endToEnd > 0
                            ? Math.round(endToEnd)
                            : Math.max(0, receivedAtMillis - s.eventTimeMillis()));
        }
    }

    @Override
    public void onSkipped(AnalysisResult skip, long receivedAtMillis) {
        record(skip.getEventId(), Outcome.SKIPPED);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis) {
        record(
                deadLetter.getEventId(),
                deadLetter.getReason() == ReasonCode.STALE_SKIPPED
                        ? Outcome.SKIPPED
                        : Outcome.DEAD);
    }

    /** The figures now, one per task in {@link AnalysisTask} order. */
    public List<TaskReport> report() {
        Map<AnalysisTask, long[]> counts = new EnumMap<>(AnalysisTask.class);
        Map<AnalysisTask, List<Long>> lat = new EnumMap<>(AnalysisTask.class);
        for (AnalysisTask t : AnalysisTask.values()) {
            counts.put(t, new long[5]);
            lat.put(t, new ArrayList<>());
        }
        sent.forEach(
                (id, s) -> {
                    long[] c = counts.get(s.task());
                    c[0]++;
                    Outcome o = outcomes.get(id);
                    c[o == null ? 4 : 1 + o.ordinal()]++;
                    Long ms = o == Outcome.RESULT ? latencies.get(id) : null;
                    if (ms != null) {
                        lat.get(s.task()).add(ms);
                    }
                });
        List<TaskReport> reports = new ArrayList<>();
        for (AnalysisTask t : AnalysisTask.values()) {
            long[] c = counts.get(t);
            List<Long> l = lat.get(t);
            Collections.sort(l);
            reports.add(
                    new TaskReport(
                            t, c[0], c[1], c[2], c[3], c[4], percentile(l, 50), percentile(l, 99)));
        }
        return reports;
    }

    /** The nearest-rank percentile of sorted {@code values}; 0 when there are none. */
    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private void record(String id, Outcome outcome) {
        if (id != null && sent.containsKey(id)) {
            outcomes.putIfAbsent(id, outcome);
        }
    }
}
