package dev.glimpse.operators;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Small builders of {@link ImageEvent}s for operator tests. */
public final class TestEvents {

    public static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private TestEvents() {}

    /** An event with inline {@code bytes}. */
    public static ImageEvent inline(String id, String source, String task, byte[] bytes) {
        return inline(id, source, task, bytes, T0);
    }

    /** An event with inline {@code bytes} taken at {@code eventTime}. */
    public static ImageEvent inline(
            String id, String source, String task, byte[] bytes, Instant eventTime) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId(source)
                .setEventTime(eventTime)
                .setTask(task)
                .setImage(new InlineImage(ByteBuffer.wrap(bytes)))
                .setAttributes(new HashMap<>())
                .build();
    }

    /** An event whose image lives at {@code uri}. */
    public static ImageEvent byUri(String id, String source, String task, String uri) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId(source)
                .setEventTime(T0)
                .setTask(task)
                .setImage(new ImageReference(uri))
                .setAttributes(new HashMap<>())
                .build();
    }

    /** {@code event} with the Kafka origin attributes of {@code topic-partition@offset}. */
    public static ImageEvent fromKafka(ImageEvent event, String topic, int partition, long offset) {
        Map<String, String> attributes = new HashMap<>(event.getAttributes());
        KafkaOrigin.record(attributes, topic, partition, offset);
        return ImageEvent.newBuilder(event).setAttributes(attributes).build();
    }
}
