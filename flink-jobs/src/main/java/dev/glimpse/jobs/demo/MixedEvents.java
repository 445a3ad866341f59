package dev.glimpse.jobs.demo;

import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Random;

/**
 * A deterministic stream of the demo's mixed events for end-to-end tests: camera frames (CAPTION,
 * with near-duplicates the frame gate skips), text pages (OCR), moderation images, and every tenth
 * OCR or moderation image cut off mid-file (a dead letter). The same seed gives the same images in
 * the same order; ids and source ids carry a caller's prefix so that one job can be sent the same
 * images twice and the outcomes compared.
 */
public final class MixedEvents {

    private final long seed;

    public MixedEvents(long seed) {
        this.seed = seed;
    }

    /**
     * The first {@code count} events: ids {@code <prefix>-<i>}, source ids {@code
     * <prefix>-<source>}, event times {@code t0 + i * 500 ms} (cameras see a frame every 1.5 s,
     * more than the frame gate's minimum interval).
     */
    public List<ImageEvent> take(String prefix, int count, Instant t0) {
        Random rng = new Random(seed);
        List<CameraFeed> cameras =
                List.of(
                        new CameraFeed("camera-1", new Random(seed + 1)),
                        new CameraFeed("camera-2", new Random(seed + 2)));
        TextPageGenerator pages = new TextPageGenerator(new Random(seed + 4));
        ModerationImageGenerator moderation = new ModerationImageGenerator(new Random(seed + 5));
        List<ImageEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant time = t0.plusMillis(i * 500L);
            String id = prefix + "-" + i;
            switch (i % 4) {
                case 0, 2 -> {
                    CameraFeed camera = cameras.get(i % 4 == 0 ? 0 : 1);
                    byte[] png = Png.encode(camera.next().image());
                    events.add(
                            event(
                                    id,
                                    prefix + "-" + camera.sourceId(),
                                    AnalysisTask.CAPTION,
                                    png,
                                    time));
                }
                case 1 -> {
                    byte[] png = Png.encode(pages.next(i).image());
                    events.add(
                            event(
                                    id,
                                    prefix + "-scanner",
                                    AnalysisTask.OCR,
                                    maybeBreak(png, i),
                                    time));
                }
                default -> {
                    byte[] png = Png.encode(moderation.next(rng.nextBoolean()).image());
                    events.add(
                            event(
                                    id,
                                    prefix + "-uploads",
                                    AnalysisTask.MODERATION,
                                    maybeBreak(png, i),
                                    time));
                }
            }
        }
        return events;
    }

    private static byte[] maybeBreak(byte[] png, int i) {
        return i % 10 == 5 || i % 10 == 7 ? Arrays.copyOf(png, png.length / 2) : png;
    }

    private static ImageEvent event(
            String id, String source, AnalysisTask task, byte[] png, Instant time) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId(source)
                .setEventTime(time)
                .setTask(task.name())
                .setImage(new InlineImage(ByteBuffer.wrap(png)))
                .setContentType("image/png")
                .setAttributes(new HashMap<>())
                .build();
    }
}
