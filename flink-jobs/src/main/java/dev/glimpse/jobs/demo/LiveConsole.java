package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.CategoryScore;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.SliceGrid;
import dev.glimpse.schemas.TokenConfidence;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prints what the job commits, one line per result or dead letter, as it arrives: source, task, the
 * caption / text / verdict, the slice grid and the end-to-end latency (event time to result;
 * "visible" adds the wait for the checkpoint that commits it). Reads on a thread of its own.
 */
final class LiveConsole implements AutoCloseable, OutputTopicsReader.Listener {

    private final OutputTopicsReader reader;
    private final PrintStream out;
    private final Thread thread;
    private final Map<AnalysisTask, AtomicLong> results = new EnumMap<>(AnalysisTask.class);
    private final AtomicLong deadLetters = new AtomicLong();

    LiveConsole(OutputTopicsReader reader, PrintStream out) {
        this.reader = reader;
        this.out = out;
        for (AnalysisTask t : AnalysisTask.values()) {
            results.put(t, new AtomicLong());
        }
        this.thread = new Thread(this::poll, "glimpse-demo-console");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Results printed so far for {@code task}. */
    long results(AnalysisTask task) {
        return results.get(task).get();
    }

    /** Dead letters printed so far. */
    long deadLetters() {
        return deadLetters.get();
    }

    private void poll() {
        try {
            reader.run(this);
        } catch (RuntimeException e) {
            out.println("console: stopped reading: " + e);
        } finally {
            reader.close();
        }
    }

    @Override
    public void onResult(AnalysisResult r, long receivedAtMillis) {
        results.get(r.getTask()).incrementAndGet();
        out.println(format(r, receivedAtMillis));
    }

    @Override
    public void onDeadLetter(DeadLetter d, long receivedAtMillis) {
        deadLetters.incrementAndGet();
        out.println(format(d));
    }

    @Override
    public void onUndecodable(String topic, long offset, String message) {
        out.println("console: cannot decode " + topic + "@" + offset + ": " + message);
    }

    /**
     * {@code RESULT camera-2 CAPTION "a red circle" conf=0.97/0.41 grid=- latency=812ms ...}; an
     * OCR result marked for review ends its answer with {@code REVIEW}.
     */
    static String format(AnalysisResult r, long receivedAtMillis) {
        String answer =
                switch (r.getTask()) {
                    case CAPTION -> {
                        Caption c = (Caption) r.getOutput();
                        yield quote(c.getText()) + confidence(c.getConfidence());
                    }
                    case OCR -> {
                        OcrText o = (OcrText) r.getOutput();
                        yield quote(o.getText())
                                + confidence(o.getConfidence())
                                + (o.getNeedsReview() ? " REVIEW" : "");
                    }
                    case MODERATION -> verdict((ModerationVerdict) r.getOutput());
                };
        SliceGrid grid = r.getSliceGrid();
        long visible = Math.max(0, receivedAtMillis - r.getEventTime().toEpochMilli());
        String expected = r.getAttributes().get(SyntheticProducers.EXPECTED);
        return String.format(
                Locale.ROOT,
                "RESULT  %-10s %-10s %-44s grid=%-4s latency=%5dms (visible %5dms)%s",
                r.getSourceId(),
                r.getTask(),
                answer,
                grid == null ? "none" : grid.getColumns() + "x" + grid.getRows(),
                Math.round(r.getTimings().getEndToEndMs()),
                visible,
                expected == null ? "" : "  expected: " + quote(expected));
    }

    /** {@code DEAD uploads upload-5 DECODE/TRUNCATED_IMAGE: ...}. */
    static String format(DeadLetter d) {
        return String.format(
                Locale.ROOT,
                "DEAD    %-10s %-10s %s/%s: %s",
                d.getSourceId() == null ? "?" : d.getSourceId(),
                d.getEventId() == null ? "?" : d.getEventId(),
                d.getStage(),
                d.getReason(),
                d.getMessage());
    }

    private static String verdict(ModerationVerdict v) {
        StringBuilder sb = new StringBuilder(v.getFlagged() ? "FLAGGED " : "ok ");
        sb.append(v.getFlagged() ? v.getFlaggedCategories().toString() : "").append(" (");
        for (int i = 0; i < v.getScores().size(); i++) {
            CategoryScore s = v.getScores().get(i);
            sb.append(i == 0 ? "" : " ")
                    .append(s.getCategory())
                    .append(String.format(Locale.ROOT, " %.2f", s.getProbability()));
        }
        return sb.append(")").toString().replace("ok  (", "ok (");
    }

    /** {@code conf=0.97/0.41}: the answer's mean and lowest token probability; "" without. */
    private static String confidence(TokenConfidence c) {
        return c == null
                ? ""
                : String.format(Locale.ROOT, " conf=%.2f/%.2f", c.getMean(), c.getMin());
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    /** Stops reading and waits for the reader thread to close its consumer. */
    @Override
    public void close() {
        if (thread.getState() == Thread.State.NEW) {
            reader.close();
            return;
        }
        reader.stop();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
