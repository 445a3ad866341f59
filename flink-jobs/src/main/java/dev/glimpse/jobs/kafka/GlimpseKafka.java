package dev.glimpse.jobs.kafka;

import dev.glimpse.jobs.config.GlimpseJobConfig;
import dev.glimpse.operators.ingest.IngestedRecord;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production Kafka source and the two exactly-once sinks of a Glimpse job. */
public final class GlimpseKafka {

    private GlimpseKafka() {}

    /** Image events from the committed offsets of the group (earliest for a new group). */
    public static KafkaSource<IngestedRecord> source(GlimpseJobConfig.Kafka kafka) {
        return KafkaSource.<IngestedRecord>builder()
                .setProperties(kafka.clientProperties())
                .setTopics(kafka.imagesTopic())
                .setGroupId(kafka.groupId())
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ImageEventDeserializer(kafka.maxDeadLetterBytes()))
                .build();
    }

    /** Results, keyed by event id, committed with each checkpoint. */
    public static KafkaSink<AnalysisResult> resultSink(GlimpseJobConfig.Kafka kafka) {
        return exactlyOnce(
                kafka,
                "results",
                new AvroRecordSerializer<>(
                        AnalysisResult.class, kafka.resultsTopic(), AnalysisResult::getEventId));
    }

    /** Dead letters, keyed by event id when there is one, committed with each checkpoint. */
    public static KafkaSink<DeadLetter> deadLetterSink(GlimpseJobConfig.Kafka kafka) {
        return exactlyOnce(
                kafka,
                "dlq",
                new AvroRecordSerializer<>(
                        DeadLetter.class, kafka.deadLetterTopic(), DeadLetter::getEventId));
    }

    /**
     * The sinks' producer settings: the client properties, with {@code linger.ms} 100 unless {@code
     * kafka.properties.linger.ms} sets it. Transactional results become visible only when a
     * checkpoint commits them, and the sink flushes its producer before every commit, so lingering
     * delays nothing a reader sees; it packs more records into each produce request, which halved
     * the producer's and the broker's CPU per result in the pipeline benchmark
     * (docs/benchmarks.md).
     */
    static Properties sinkProducerProperties(GlimpseJobConfig.Kafka kafka) {
        Properties producer = kafka.clientProperties();
        producer.putIfAbsent("linger.ms", "100");
        return producer;
    }

    private static <T> KafkaSink<T> exactlyOnce(
            GlimpseJobConfig.Kafka kafka,
            String name,
            org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(sinkProducerProperties(kafka))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + name)
                // at most the broker's transaction.max.timeout.ms (docs/toolchain.md G2)
                .setProperty(
                        "transaction.timeout.ms",
                        Long.toString(kafka.transactionTimeout().toMillis()))
                .build();
    }
}
