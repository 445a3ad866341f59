package dev.glimpse.e2e;

import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a job committed per event id (read_committed), as comparable strings: {@code result:<text>}
 * (caption or OCR text, or the flagged moderation categories), {@code dead:<reason>} or {@code
 * skip:<reason>}. Reads on its own thread from construction to {@link #close()}.
 */
final class Outcomes implements OutputTopicsReader.Listener, AutoCloseable {

    private final Map<String, List<String>> byId = new ConcurrentHashMap<>();
    private final OutputTopicsReader reader;
    private final Thread thread;

    Outcomes(Properties kafka, String resultsTopic, String dlqTopic) {
        reader = new OutputTopicsReader(kafka, resultsTopic, dlqTopic, true);
        thread = new Thread(() -> reader.run(this), "e2e-outcomes-" + resultsTopic);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void onResult(AnalysisResult r, long receivedAtMillis) {
        Object out = r.getOutput();
        String text =
                out instanceof Caption c
                        ? c.getText()
                        : out instanceof OcrText o
                                ? o.getText()
                                : "flagged " + ((ModerationVerdict) out).getFlaggedCategories();
        add(r.getEventId(), "result:" + text);
    }

    @Override
    public void onSkipped(AnalysisResult skip, long receivedAtMillis) {
        add(skip.getEventId(), "skip:" + skip.getSkipped().getReason());
    }

    @Override
    public void onDeadLetter(DeadLetter d, long receivedAtMillis) {
        add(String.valueOf(d.getEventId()), "dead:" + d.getReason());
    }

    @Override
    public void onUndecodable(String topic, long offset, String message) {
        add("undecodable@" + topic + ":" + offset, "undecodable:" + message);
    }

    private void add(String id, String outcome) {
        byId.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(outcome);
    }

    /** Every outcome of {@code id} so far (more than one = a duplicate). */
    List<String> of(String id) {
        return List.copyOf(byId.getOrDefault(id, List.of()));
    }

    /** Ids among {@code ids} with no outcome yet. */
    List<String> missing(Collection<String> ids) {
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!byId.containsKey(id)) {
                missing.add(id);
            }
        }
        return missing;
    }

    /** Waits until every id in {@code ids} has an outcome, then 5 s for duplicates to show. */
    void awaitAll(Collection<String> ids, Duration timeout, Runnable check)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!missing(ids).isEmpty()) {
            check.run();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "No outcome after "
                                + timeout
                                + " for "
                                + missing(ids)
                                + " of "
                                + ids.size());
            }
            Thread.sleep(500);
        }
        Thread.sleep(5000);
    }

    /** Ids that have an outcome, any. */
    Map<String, List<String>> all() {
        return Map.copyOf(byId);
    }

    @Override
    public void close() throws InterruptedException {
        reader.stop();
        thread.join(30_000);
        reader.close();
    }
}
