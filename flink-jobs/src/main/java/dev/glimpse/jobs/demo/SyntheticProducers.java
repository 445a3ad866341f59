package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.kafka.DeliveryAudit;
import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The demo's image sources, sending PNG {@link ImageEvent}s at a fixed total rate: three cameras
 * (CAPTION; each holds a scene for a few near-identical frames), a scanner of text pages (OCR) and
 * an upload stream (MODERATION, about half with a flagged symbol). Every tenth scan or upload is a
 * broken upload (a cut-off PNG), which the job dead-letters.
 *
 * <p>Of every eight events, six are camera frames, one a text page and one a moderation image. Each
 * event carries what it shows in its attributes ({@code expected}), which results copy, so the
 * console can print what the model should have said.
 */
final class SyntheticProducers implements AutoCloseable {

    static final String SCANNER = "scanner-1";
    static final String UPLOADS = "uploads";
    static final String EXPECTED = "expected";

    private final ImageEventProducer producer;
    private final long periodMicros;
    private final List<CameraFeed> cameras;
    private final TextPageGenerator pages;
    private final ModerationImageGenerator moderation;
    private final Random rng;
    private final Consumer<String> warnings;
    private final ScheduledExecutorService scheduler;
    private final Map<AnalysisTask, AtomicLong> sent = new EnumMap<>(AnalysisTask.class);
    private final AtomicLong broken = new AtomicLong();
    private final DeliveryAudit audit;
    private long tick;
    private long scans;
    private long uploads;

    /**
     * @param rate images per second, all sources together
     * @param audit receives every event id with its send acknowledgement
     * @param warnings receives a line when a send fails
     */
    SyntheticProducers(
            ImageEventProducer producer,
            double rate,
            long seed,
            DeliveryAudit audit,
            Consumer<String> warnings) {
        this.producer = producer;
        this.audit = audit;
        this.periodMicros = Math.max(1, Math.round(1_000_000 / rate));
        this.rng = new Random(seed);
        this.cameras =
                List.of(
                        new CameraFeed("camera-1", new Random(seed + 1)),
                        new CameraFeed("camera-2", new Random(seed + 2)),
                        new CameraFeed("camera-3", new Random(seed + 3)));
        this.pages = new TextPageGenerator(new Random(seed + 4));
        this.moderation = new ModerationImageGenerator(new Random(seed + 5));
        this.warnings = warnings;
        for (AnalysisTask t : AnalysisTask.values()) {
            sent.put(t, new AtomicLong());
        }
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "glimpse-demo-producers");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Starts sending. */
    void start() {
        scheduler.scheduleAtFixedRate(this::sendNext, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** Events sent so far for {@code task} (broken uploads included). */
    long sent(AnalysisTask task) {
        return sent.get(task).get();
    }

    /** Broken uploads sent so far. */
    long broken() {
        return broken.get();
    }

    private void sendNext() {
        try {
            int slot = (int) (tick++ % 8);
            ImageEvent event =
                    switch (slot) {
                        case 3 -> scan();
                        case 7 -> upload();
                        default -> frame(cameras.get(slot % 4));
                    };
            audit.sent(event.getEventId(), producer.send(event));
        } catch (RuntimeException e) {
            warnings.accept("producer: cannot send an image: " + e);
        }
    }

    private ImageEvent frame(CameraFeed camera) {
        CameraFeed.Frame f = camera.next();
        return event(
                camera.sourceId() + "-" + sent(AnalysisTask.CAPTION),
                camera.sourceId(),
                AnalysisTask.CAPTION,
                Png.encode(f.image()),
                Map.of(EXPECTED, f.caption(), "newScene", Boolean.toString(f.changed())));
    }

    private ImageEvent scan() {
        TextPageGenerator.TextPage page = pages.next((int) scans);
        byte[] png = maybeBreak(Png.encode(page.image()), ++scans);
        return event(
                "scan-" + scans,
                SCANNER,
                AnalysisTask.OCR,
                png,
                Map.of(
                        EXPECTED,
                        page.text(),
                        "kind",
                        page.kind(),
                        "size",
                        page.image().getWidth() + "x" + page.image().getHeight()));
    }

    private ImageEvent upload() {
        ModerationImageGenerator.ModerationImage m = moderation.next(rng.nextBoolean());
        byte[] png = maybeBreak(Png.encode(m.image()), ++uploads);
        return event(
                "upload-" + uploads,
                UPLOADS,
                AnalysisTask.MODERATION,
                png,
                Map.of(EXPECTED, m.symbol() == null ? "nothing flagged" : m.symbol()));
    }

    /** Every tenth scan or upload (the 5th, 15th, ...) is cut off mid-file. */
    private byte[] maybeBreak(byte[] png, long n) {
        if (n % 10 != 5) {
            return png;
        }
        broken.incrementAndGet();
        return Arrays.copyOf(png, png.length / 2);
    }

    private ImageEvent event(
            String id, String source, AnalysisTask task, byte[] png, Map<String, String> attrs) {
        sent.get(task).incrementAndGet();
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId(source)
                .setEventTime(Instant.now())
                .setTask(task.name())
                .setImage(new InlineImage(ByteBuffer.wrap(png)))
                .setContentType("image/png")
                .setAttributes(new HashMap<>(attrs))
                .build();
    }

    /** Stops sending, then flushes and closes the Kafka producer. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}
