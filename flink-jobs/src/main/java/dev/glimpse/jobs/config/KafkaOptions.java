package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.duration;
import static dev.glimpse.jobs.config.GlimpseOption.integer;
import static dev.glimpse.jobs.config.GlimpseOption.longInteger;
import static dev.glimpse.jobs.config.GlimpseOption.string;

import java.time.Duration;

/** The {@code kafka.*} options: brokers, topics, client properties and record size caps. */
public final class KafkaOptions {

    private KafkaOptions() {}

    /** Prefix of the properties passed verbatim to every Kafka client. */
    public static final String PROPERTIES_PREFIX = "kafka.properties";

    public static final GlimpseOption<String> BOOTSTRAP_SERVERS =
            string("kafka.bootstrapServers", null, "Kafka bootstrap servers (required).");

    public static final GlimpseOption<String> IMAGES_TOPIC =
            string("kafka.topics.images", "glimpse.images", "Topic of ImageEvent records.");

    public static final GlimpseOption<String> RESULTS_TOPIC =
            string(
                    "kafka.topics.results",
                    "glimpse.results",
                    "Topic of AnalysisResult records (exactly once).");

    public static final GlimpseOption<String> DEAD_LETTER_TOPIC =
            string(
                    "kafka.topics.dlq",
                    "glimpse.dlq",
                    "Topic of DeadLetter records (exactly once).");

    public static final GlimpseOption<String> GROUP_ID =
            string("kafka.groupId", "glimpse", "Consumer group of the source.");

    public static final GlimpseOption<String> TRANSACTIONAL_ID_PREFIX =
            string(
                    "kafka.transactionalIdPrefix",
                    "glimpse",
                    "Prefix of the sinks' transactional ids; unique per job.");

    public static final GlimpseOption<Duration> TRANSACTION_TIMEOUT =
            duration(
                    "kafka.transactionTimeout",
                    "15 min",
                    "Sink transaction timeout; at most the broker's transaction.max.timeout.ms.");

    /** Documents {@code kafka.properties.*}; read with {@link OptionValues#withPrefix}. */
    public static final GlimpseOption<String> PROPERTIES =
            string(
                    PROPERTIES_PREFIX + ".*",
                    null,
                    "Passed verbatim to every Kafka client (security.protocol, sasl.*, ssl.*)."
                            + " The exactly-once sinks default linger.ms to 100 (results are"
                            + " visible only at commit anyway).");

    public static final GlimpseOption<Long> MAX_INLINE_BYTES =
            longInteger(
                    "kafka.maxInlineBytes",
                    8L << 20,
                    1,
                    Long.MAX_VALUE,
                    "Largest inline image; larger ones must travel by URI (PAYLOAD_TOO_LARGE).");

    public static final GlimpseOption<Integer> MAX_DEAD_LETTER_BYTES =
            integer(
                    "kafka.maxDeadLetterBytes",
                    DeadLetterSizeCheck.DEFAULT_MAX_DEAD_LETTER_BYTES,
                    1,
                    Integer.MAX_VALUE,
                    "Undecodable records up to this size are copied into their dead letter;"
                            + " this plus "
                            + DeadLetterSizeCheck.ENVELOPE_ALLOWANCE_BYTES
                            + " bytes of envelope must fit the producer's max.request.size"
                            + " (kafka.properties.max.request.size, else Kafka's default 1048576).");

    /** The Kafka settings in {@code values}; checks the dead-letter cap against the producer. */
    static GlimpseJobConfig.Kafka read(OptionValues values) {
        GlimpseJobConfig.Kafka kafka =
                new GlimpseJobConfig.Kafka(
                        values.get(BOOTSTRAP_SERVERS),
                        values.get(IMAGES_TOPIC),
                        values.get(RESULTS_TOPIC),
                        values.get(DEAD_LETTER_TOPIC),
                        values.get(GROUP_ID),
                        values.get(TRANSACTIONAL_ID_PREFIX),
                        values.get(TRANSACTION_TIMEOUT),
                        values.withPrefix(PROPERTIES_PREFIX),
                        values.get(MAX_INLINE_BYTES),
                        values.get(MAX_DEAD_LETTER_BYTES));
        DeadLetterSizeCheck.check(kafka.maxDeadLetterBytes(), kafka.properties());
        return kafka;
    }
}
