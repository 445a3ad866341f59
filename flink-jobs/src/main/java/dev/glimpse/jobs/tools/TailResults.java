package dev.glimpse.jobs.tools;

import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints what a Glimpse job committed, one JSON line per record, until Ctrl-C: results as {@code
 * {"result": {...}}}, dead letters as {@code {"deadLetter": {...}, "originalBytesLength": N}} (the
 * raw bytes are left out). Reads with {@code isolation.level=read_committed}, so only records of
 * committed checkpoints appear; from the beginning of the topics unless {@code --from latest}.
 *
 * <pre>
 * TailResults --bootstrap-servers HOST:PORT --topic glimpse.results [--dlq-topic glimpse.dlq]
 *             [--from earliest|latest] [--command-config client.properties]
 * </pre>
 *
 * {@code --command-config} holds the client's security settings, as for Kafka's own tools; a reader
 * principal needs READ on both topics and on consumer groups prefixed {@code glimpse-tail-}
 * (docs/kafka-security.md).
 */
public final class TailResults {

    static final String USAGE =
            "Usage: TailResults --bootstrap-servers HOST:PORT --topic RESULTS_TOPIC"
                    + " [--dlq-topic DLQ_TOPIC] [--from earliest|latest] "
                    + ToolArgs.COMMAND_CONFIG_USAGE;

    private TailResults() {}

    public static void main(String[] args) {
        OutputTopicsReader reader = reader(args);
        tail(reader);
    }

    /** The reader that {@code args} describe; errors name the flag. */
    static OutputTopicsReader reader(String[] args) {
        ToolArgs a =
                ToolArgs.parse(
                        args,
                        Set.of(
                                "--bootstrap-servers",
                                "--topic",
                                "--dlq-topic",
                                "--from",
                                ToolArgs.COMMAND_CONFIG),
                        USAGE);
        String from = a.optional("--from", "earliest");
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw new IllegalArgumentException(
                    "--from must be earliest or latest, was '" + from + "'");
        }
        if (!a.positional().isEmpty()) {
            throw new IllegalArgumentException("Unexpected argument " + a.positional().get(0));
        }
        return new OutputTopicsReader(
                a.clientProperties(),
                a.required("--topic"),
                a.optional("--dlq-topic", null),
                from.equals("earliest"));
    }

    private static void tail(OutputTopicsReader reader) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            reader.stop();
                            try {
                                done.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "tail-results-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            reader.run(
                    new OutputTopicsReader.Listener() {
                        @Override
                        public void onResult(AnalysisResult result, long receivedAtMillis) {
                            System.out.println(json(result));
                        }

                        @Override
                        public void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis) {
                            System.out.println(json(deadLetter));
                        }

                        @Override
                        public void onUndecodable(String topic, long offset, String message) {
                            System.out.printf(
                                    "{\"undecodable\": {\"topic\": \"%s\", \"offset\": %d}}%n",
                                    topic, offset);
                        }
                    });
        } finally {
            reader.close();
            done.countDown();
        }
    }

    /** {@code {"result": <the record as Avro JSON>}}. */
    static String json(AnalysisResult result) {
        return "{\"result\": " + result + "}";
    }

    /** {@code {"deadLetter": <the record without its raw bytes>, "originalBytesLength": N}}. */
    static String json(DeadLetter deadLetter) {
        ByteBuffer bytes = deadLetter.getOriginalBytes();
        DeadLetter shown = DeadLetter.newBuilder(deadLetter).setOriginalBytes(null).build();
        return "{\"deadLetter\": "
                + shown
                + ", \"originalBytesLength\": "
                + (bytes == null ? "null" : Integer.toString(bytes.remaining()))
                + "}";
    }
}
