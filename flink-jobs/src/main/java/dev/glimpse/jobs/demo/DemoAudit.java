package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.cluster.FlinkRestClient;
import dev.glimpse.jobs.kafka.DeliveryAudit;
import dev.glimpse.jobs.kafka.ReaderThread;
import dev.glimpse.jobs.kafka.TaskAudit;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

/**
 * The demo's closing accounting: the overall {@link DeliveryAudit} line and one {@link TaskAudit}
 * line per task, after a bounded wait for the job to drain. Each reads the output topics on its own
 * thread from {@link #start} to {@link #close}.
 */
final class DemoAudit implements AutoCloseable {

    /** The drain ends early when nothing new came back for this long (a stalled job). */
    private static final Duration DRAIN_QUIET = Duration.ofMinutes(2);

    /** How long the per-task reader may lag behind the overall one once drained. */
    private static final Duration TASK_READER_LAG = Duration.ofSeconds(30);

    private final DeliveryAudit delivery = new DeliveryAudit();
    private final TaskAudit tasks = new TaskAudit();
    private ReaderThread deliveryReader;
    private ReaderThread tasksReader;

    /** Starts both audits' readers on the output topics, from the beginning. */
    DemoAudit start(Properties reader, String resultsTopic, String deadLetterTopic) {
        deliveryReader =
                ReaderThread.start(
                        reader, resultsTopic, deadLetterTopic, delivery, "glimpse-delivery-audit");
        tasksReader =
                ReaderThread.start(
                        reader, resultsTopic, deadLetterTopic, tasks, "glimpse-task-audit");
        return this;
    }

    DeliveryAudit delivery() {
        return delivery;
    }

    TaskAudit tasks() {
        return tasks;
    }

    /**
     * Waits at most {@code timeout} (less when nothing new arrives for two minutes) until every
     * sent event is accounted for, then prints the overall line and the per-task lines.
     */
    DeliveryAudit.Report drainAndPrint(Duration timeout, long restarts, PrintStream out)
            throws InterruptedException {
        out.printf(
                Locale.ROOT,
                "Draining: waiting until every sent event is committed (at most %s) ...%n",
                human(timeout));
        delivery.awaitDrained(timeout, DRAIN_QUIET);
        DeliveryAudit.Report report = delivery.report(restarts);
        long lagDeadline = System.nanoTime() + TASK_READER_LAG.toNanos();
        while (tasks.missing() > report.missing() && System.nanoTime() < lagDeadline) {
            Thread.sleep(200);
        }
        if (report.unsent() > 0) {
            out.printf(
                    "%d events were not acknowledged by the broker (not counted).%n",
                    report.unsent());
        }
        out.println(report.line());
        tasks.report().forEach(r -> out.println(r.line()));
        return report;
    }

    /**
     * {@code Checkpoints while streaming: completed=N failed=M}, with the latest failure's message
     * when one failed.
     */
    static String checkpointLine(FlinkRestClient.CheckpointCounts c) {
        return "Checkpoints while streaming: completed="
                + c.completed()
                + " failed="
                + c.failed()
                + (c.failed() > 0 ? " (latest: " + c.latestFailure() + ")" : "");
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (deliveryReader != null) {
                deliveryReader.close();
            }
        } finally {
            if (tasksReader != null) {
                tasksReader.close();
            }
        }
    }

    /** {@code 4 min}, {@code 90 s}. */
    static String human(Duration d) {
        return d.toSeconds() % 60 == 0 && d.toSeconds() > 0
                ? d.toMinutes() + " min"
                : d.toSeconds() + " s";
    }
}
