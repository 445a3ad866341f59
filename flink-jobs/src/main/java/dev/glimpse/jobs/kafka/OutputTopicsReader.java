package dev.glimpse.jobs.kafka;

import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.MalformedRecordException;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what a Glimpse job committed: a {@code read_committed} consumer on the results topic and,
 * optionally, the dead-letter topic, decoding each record with the schema version named by its
 * header. {@link #run} polls until {@link #stop} is called (from any thread).
 */
public final class OutputTopicsReader implements AutoCloseable {

    /** Receives what the reader decoded. Called on the polling thread. */
    public interface Listener {
        void onResult(AnalysisResult result, long receivedAtMillis);

        void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis);

        /**
         * A skip record of the frame gate (an event not analysed on purpose); {@link #onResult}
         * receives analyses only.
         */
        default void onSkipped(AnalysisResult skip, long receivedAtMillis) {}

        /** A record that does not decode (another producer on the topic, a newer schema...). */
        default void onUndecodable(String topic, long offset, String message) {}
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final String deadLetterTopic;
    private final AvroCodec<AnalysisResult> results = AvroCodec.of(AnalysisResult.class);
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private volatile boolean stopped;

    /**
     * @param clientProperties at least {@code bootstrap.servers}
     * @param deadLetterTopic null to read results only
     * @param fromBeginning read the topics from the start (else only what arrives from now on)
     */
    public OutputTopicsReader(
            Properties clientProperties,
            String resultsTopic,
            String deadLetterTopic,
            boolean fromBeginning) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "glimpse-tail-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        this.consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.resultsTopic = resultsTopic;
        this.deadLetterTopic = deadLetterTopic;
        List<String> topics = new ArrayList<>(List.of(resultsTopic));
        if (deadLetterTopic != null) {
            topics.add(deadLetterTopic);
        }
        consumer.subscribe(topics);
    }

    /** Polls and dispatches to {@code listener} until {@link #stop()}. */
    public void run(Listener listener) {
        try {
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    dispatch(r, listener);
                }
            }
        } catch (WakeupException e) {
            if (!stopped) {
                throw e;
            }
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> r, Listener listener) {
        long now = System.currentTimeMillis();
        try {
            if (r.topic().equals(resultsTopic)) {
                AnalysisResult result = results.decode(r.value(), version(r, AnalysisResult.class));
                if (SkipRecords.isSkip(result)) {
                    listener.onSkipped(result, now);
                } else {
                    listener.onResult(result, now);
                }
            } else if (r.topic().equals(deadLetterTopic)) {
                listener.onDeadLetter(
                        deadLetters.decode(r.value(), version(r, DeadLetter.class)), now);
            }
        } catch (MalformedRecordException | RuntimeException e) {
            listener.onUndecodable(r.topic(), r.offset(), e.getMessage());
        }
    }

    private static int version(
            ConsumerRecord<byte[], byte[]> r,
            Class<? extends org.apache.avro.specific.SpecificRecord> type) {
        Header h = r.headers().lastHeader(SchemaHistory.VERSION_HEADER);
        return h == null
                ? SchemaHistory.currentVersion(type)
                : Integer.parseInt(new String(h.value(), StandardCharsets.US_ASCII).strip());
    }

    /** Makes {@link #run} return soon. Thread-safe. */
    public void stop() {
        stopped = true;
        consumer.wakeup();
    }

    /** Closes the consumer; call after {@link #run} returned, on the polling thread. */
    @Override
    public void close() {
        consumer.close();
    }
}
