package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Deterministic synthetic {@link ImageEvent}s for Kafka tests. */
final class TestEvents {

    private static final String[] TASKS = {"CAPTION", "OCR", "MODERATION"};

    private TestEvents() {}

    /**
     * {@code n} events cycling through the three tasks, inline bytes for even ids, URIs for odd.
     */
    static List<ImageEvent> mixed(int n, long seed) {
        Random random = new Random(seed);
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        List<ImageEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String task = TASKS[i % TASKS.length];
            ImageEvent.Builder b =
                    ImageEvent.newBuilder()
                            .setEventId(String.format("evt-%05d", i))
                            .setSourceId("camera-" + (i % 4))
                            .setEventTime(t0.plusMillis(40L * i))
                            .setTask(task)
                            .setAttributes(Map.of("seq", Integer.toString(i)));
            if (i % 2 == 0) {
                byte[] bytes = new byte[64 + random.nextInt(2048)];
                random.nextBytes(bytes);
                b.setImage(new InlineImage(ByteBuffer.wrap(bytes))).setContentType("image/png");
            } else {
                b.setImage(new ImageReference("file:///images/" + i + ".jpg"));
            }
            if (task.equals("MODERATION")) {
                b.setModerationCategories(List.of("skull", "weapons"));
            }
            if (i % 5 == 0) {
                b.setPrompt("What is happening in frame " + i + "?");
            }
            events.add(b.build());
        }
        return events;
    }
}
