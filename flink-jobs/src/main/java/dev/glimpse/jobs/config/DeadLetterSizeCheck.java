package dev.glimpse.jobs.config;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Keeps a dead letter that carries a copied record within what the dead-letter sink's producer may
 * send. The copy ({@code kafka.maxDeadLetterBytes}) travels inside a DeadLetter Avro envelope
 * (topic, partition, offset, reason, message, time) inside a Kafka record batch; a dead letter over
 * the producer's {@code max.request.size} fails the exactly-once sink, which restarts on the same
 * record forever. So the cap plus {@link #ENVELOPE_ALLOWANCE_BYTES} must fit {@code
 * max.request.size}.
 *
 * <p>The allowance is measured, not guessed: the largest dead letter the job can write (a 249-char
 * topic, the longest partition and offset, a message holding {@code ImageEventDeserializer}'s
 * longest problem text) takes 3,556 bytes beside its copy: 3,444 of Avro envelope and 112 of
 * Kafka's record-batch, record and header overhead ({@code DeadLetterSizeCheckTest} measures it
 * with the project's serializer and Kafka's own size estimate). The 64 KiB allowance leaves some 60
 * KiB for future envelope fields. The topic's {@code max.message.bytes} (broker default 1048588)
 * must admit the record too: raise both together.
 */
public final class DeadLetterSizeCheck {

    /** Room kept beside the copied bytes for the DeadLetter envelope and Kafka's overhead. */
    public static final int ENVELOPE_ALLOWANCE_BYTES = 64 << 10;

    /** Kafka's default {@code max.request.size} (1 MiB). */
    public static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE =
            (Integer)
                    ProducerConfig.configDef()
                            .defaultValues()
                            .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);

    /** 960 KiB: the default {@code max.request.size} less the envelope allowance. */
    public static final int DEFAULT_MAX_DEAD_LETTER_BYTES = 983_040;

    static final String MAX_REQUEST_SIZE_KEY =
            KafkaOptions.PROPERTIES_PREFIX + "." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG;

    private DeadLetterSizeCheck() {}

    /**
     * The producer's {@code max.request.size}: {@code kafka.properties.max.request.size} if set,
     * else Kafka's default.
     */
    public static int maxRequestSize(Map<String, String> kafkaProperties) {
        String value = kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (value == null) {
            return KAFKA_DEFAULT_MAX_REQUEST_SIZE;
        }
        try {
            int size = Integer.parseInt(value.strip());
            if (size > 0) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                MAX_REQUEST_SIZE_KEY + " must be a positive integer, was '" + value + "'");
    }

    /**
     * Throws, naming both keys, unless {@code maxDeadLetterBytes} plus the envelope allowance fits
     * the producer's {@code max.request.size}.
     */
    public static void check(int maxDeadLetterBytes, Map<String, String> kafkaProperties) {
        int maxRequestSize = maxRequestSize(kafkaProperties);
        if ((long) maxDeadLetterBytes + ENVELOPE_ALLOWANCE_BYTES > maxRequestSize) {
            boolean set = kafkaProperties.containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            throw new IllegalArgumentException(
                    KafkaOptions.MAX_DEAD_LETTER_BYTES.key()
                            + " ("
                            + maxDeadLetterBytes
                            + ") plus "
                            + ENVELOPE_ALLOWANCE_BYTES
                            + " bytes for the dead-letter envelope must not exceed "
                            + MAX_REQUEST_SIZE_KEY
                            + " ("
                            + maxRequestSize
                            + (set ? "" : ", Kafka's default")
                            + "): set "
                            + KafkaOptions.MAX_DEAD_LETTER_BYTES.key()
                            + " to at most "
                            + Math.max(0, maxRequestSize - ENVELOPE_ALLOWANCE_BYTES)
                            + " or raise "
                            + MAX_REQUEST_SIZE_KEY
                            + " (and the topic's max.message.bytes)");
        }
    }
}
