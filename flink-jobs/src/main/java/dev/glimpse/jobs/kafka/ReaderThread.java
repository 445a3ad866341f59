package dev.glimpse.jobs.kafka;

import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OutputTopicsReader} polling on its own daemon thread from {@link #start} to {@link
 * #close}: how the demo's audits ({@link DeliveryAudit}, {@link TaskAudit}) read the output topics
 * while the producers send. The reader is closed on the polling thread once {@link
 * OutputTopicsReader#run} returns; an exception from it ends the thread (its uncaught-exception
 * handler reports it). {@link #close} may be called from any thread.
 */
public final class ReaderThread implements AutoCloseable {

    /** How long {@link #close} waits for the polling thread to end. */
    private static final long JOIN_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final OutputTopicsReader reader;
    private final Thread thread;

    private ReaderThread(OutputTopicsReader reader, Thread thread) {
        this.reader = reader;
        this.thread = thread;
    }

    /**
     * Starts reading {@code resultsTopic} and {@code deadLetterTopic} from the beginning into
     * {@code listener}, on a daemon thread named {@code threadName}.
     */
    public static ReaderThread start(
            Properties clientProperties,
            String resultsTopic,
            String deadLetterTopic,
            OutputTopicsReader.Listener listener,
            String threadName) {
        OutputTopicsReader reader =
                new OutputTopicsReader(clientProperties, resultsTopic, deadLetterTopic, true);
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                reader.run(listener);
                            } finally {
                                reader.close();
                            }
                        },
                        threadName);
        thread.setDaemon(true);
        thread.start();
        return new ReaderThread(reader, thread);
    }

    /** Stops the reader and waits (at most 30 s) for the polling thread to end. */
    @Override
    public void close() throws InterruptedException {
        reader.stop();
        thread.join(JOIN_MILLIS);
    }
}
