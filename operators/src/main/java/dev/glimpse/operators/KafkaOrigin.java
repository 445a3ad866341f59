package dev.glimpse.operators;

import dev.glimpse.schemas.DeadLetter;
import java.util.Map;

/**
 * Where an event came from on Kafka, carried in reserved event attributes from the source to the
 * dead-letter builder (so a dead letter names topic, partition and offset of its input).
 */
public final class KafkaOrigin {

    public static final String TOPIC_ATTRIBUTE = "glimpse.kafka.topic";
    public static final String PARTITION_ATTRIBUTE = "glimpse.kafka.partition";
    public static final String OFFSET_ATTRIBUTE = "glimpse.kafka.offset";

    private KafkaOrigin() {}

    /** Adds the origin attributes to {@code attributes}. */
    public static void record(
            Map<String, String> attributes, String topic, int partition, long offset) {
        attributes.put(TOPIC_ATTRIBUTE, topic);
        attributes.put(PARTITION_ATTRIBUTE, Integer.toString(partition));
        attributes.put(OFFSET_ATTRIBUTE, Long.toString(offset));
    }

    /** Copies the origin attributes, when present, into the dead letter being built. */
    static void copyInto(Map<String, String> attributes, DeadLetter.Builder b) {
        b.setOriginalTopic(attributes.get(TOPIC_ATTRIBUTE));
        String partition = attributes.get(PARTITION_ATTRIBUTE);
        String offset = attributes.get(OFFSET_ATTRIBUTE);
        if (partition != null) {
            b.setOriginalPartition(Integer.parseInt(partition));
        }
        if (offset != null) {
            b.setOriginalOffset(Long.parseLong(offset));
        }
    }

    /** The attributes without the reserved origin keys (what results carry back to users). */
    public static Map<String, String> withoutOrigin(Map<String, String> attributes) {
        Map<String, String> copy = new java.util.HashMap<>(attributes);
        copy.remove(TOPIC_ATTRIBUTE);
        copy.remove(PARTITION_ATTRIBUTE);
        copy.remove(OFFSET_ATTRIBUTE);
        return copy;
    }
}
