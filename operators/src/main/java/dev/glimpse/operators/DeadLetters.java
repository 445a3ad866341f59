package dev.glimpse.operators;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.ReasonCode;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/**
 * Dead-letter records and the side output every operator sends them to. A dead letter names the
 * stage and a reason code, carries the event id when the event decoded, and keeps either the
 * original bytes (undecodable records, capped) or a reference (an image URI).
 */
public final class DeadLetters {

    /** Side output of every Glimpse operator that rejects input. */
    public static final OutputTag<DeadLetter> OUTPUT = new OutputTag<>("glimpse-dead-letters") {};

    private DeadLetters() {}

    /** A decoded event that failed at {@code stage}. */
    public static DeadLetter forEvent(
            ImageEvent event, FailureStage stage, ReasonCode reason, String message, Instant now) {
        DeadLetter.Builder b =
                DeadLetter.newBuilder()
                        .setEventId(event.getEventId())
                        .setSourceId(event.getSourceId())
                        .setStage(stage)
                        .setReason(reason)
                        .setMessage(message)
                        .setFailedAt(now);
        if (event.getImage() instanceof ImageReference ref) {
            b.setOriginalReference(ref.getUri());
        }
        String origin = event.getAttributes().get(KafkaOrigin.TOPIC_ATTRIBUTE);
        if (origin != null) {
            KafkaOrigin.copyInto(event.getAttributes(), b);
        }
        return b.build();
    }

    /**
     * A Kafka record that could not be decoded, with at most {@code maxCopiedBytes} of its value
     * copied for replay.
     */
    public static DeadLetter forRawRecord(
            String topic,
            int partition,
            long offset,
            byte[] value,
            int maxCopiedBytes,
            ReasonCode reason,
            String message,
            Instant now) {
        DeadLetter.Builder b =
                DeadLetter.newBuilder()
                        .setOriginalTopic(topic)
                        .setOriginalPartition(partition)
                        .setOriginalOffset(offset)
                        .setStage(FailureStage.DESERIALIZE)
                        .setReason(reason)
                        .setMessage(message)
                        .setFailedAt(now);
        if (value != null && value.length <= maxCopiedBytes) {
            b.setOriginalBytes(ByteBuffer.wrap(value));
        }
        return b.build();
    }
}
