package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.kafka.DeliveryAudit;
import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.jobs.kafka.TaskAudit;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The demo's image sources, sending PNG {@link ImageEvent}s at a fixed total rate: cameras
 * (CAPTION; each holds a scene for a few near-identical frames), a scanner of text pages (OCR) and
 * an upload stream (MODERATION, about half with a flagged symbol). Every tenth scan or upload is a
 * broken upload (a cut-off PNG), which the job dead-letters.
 *
 * <p>The tasks follow the {@link LoadOptions#mix()} in a smooth weighted round robin (the default:
 * of every eight events, six camera frames, one text page and one moderation image); camera frames
 * rotate over the cameras. An optional burst is sent at once when streaming starts, in the same
 * mix, before the steady rate begins. Each event carries what it shows in its attributes ({@code
 * expected}), which results copy, so the console can print what the model should have said. Above
 * {@link #LIVE_RATE_LIMIT} images/s, or with a burst, the pictures come from a pool rendered at
 * start ({@link DemoImages}).
 */
final class SyntheticProducers implements AutoCloseable {

    static final String SCANNER = "scanner-1";
    static final String UPLOADS = "uploads";
    static final String EXPECTED = "expected";

    /** The highest rate at which each picture is rendered as it is sent. */
    static final double LIVE_RATE_LIMIT = 50;

    private static final AnalysisTask[] TASKS = AnalysisTask.values();

    private final ImageEventProducer producer;
    private final long periodMicros;
    private final int burst;
    private final double[] weights = new double[TASKS.length];
    private final double[] credit = new double[TASKS.length];
    private final DemoImages images;
    private final Consumer<String> warnings;
    private final ScheduledExecutorService scheduler;
    private final Map<AnalysisTask, AtomicLong> sent = new EnumMap<>(AnalysisTask.class);
    private final AtomicLong broken = new AtomicLong();
    private final DeliveryAudit audit;
    private final TaskAudit taskAudit;
    private final double rate;
    private final double rampSeconds;
    private long rampStartNanos;
    private long ticks;
    private long frames;
    private long scans;
    private long uploads;

    /**
     * @param rate images per second, all sources together
     * @param load burst, mix, cameras and page size
     * @param audit receives every event id with its send acknowledgement
     * @param taskAudit receives every event id with its task and event time
     * @param warnings receives a line when a send fails
     */
    SyntheticProducers(
            ImageEventProducer producer,
            double rate,
            LoadOptions load,
            long seed,
            DeliveryAudit audit,
            TaskAudit taskAudit,
            Consumer<String> warnings) {
        this.producer = producer;
        this.audit = audit;
        this.taskAudit = taskAudit;
        this.periodMicros = Math.max(1, Math.round(1_000_000 / rate));
        this.rate = rate;
        this.rampSeconds = load.ramp().toMillis() / 1000.0;
        this.burst = load.burst();
        for (AnalysisTask t : TASKS) {
            weights[t.ordinal()] = load.mix().get(t);
        }
        this.images =
                new DemoImages(
                        seed,
                        load.cameras(),
                        load.largePages(),
                        rate > LIVE_RATE_LIMIT || load.burst() > 0);
        this.warnings = warnings;
        for (AnalysisTask t : TASKS) {
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

    /** Starts sending: the burst if any, then the steady rate. */
    void start() {
        scheduler.execute(
                () -> {
                    for (int i = 0; i < burst && !Thread.currentThread().isInterrupted(); i++) {
                        sendNext();
                    }
                    rampStartNanos = System.nanoTime();
                    try {
                        scheduler.scheduleAtFixedRate(
                                this::tick, 0, periodMicros, TimeUnit.MICROSECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException closed) {
                        // close() came during the burst
                    }
                });
    }

    /** Events sent so far for {@code task} (broken uploads included). */
    long sent(AnalysisTask task) {
        return sent.get(task).get();
    }

    /** Broken uploads sent so far. */
    long broken() {
        return broken.get();
    }

    /** The next task of the mix: smooth weighted round robin (deterministic, evenly spread). */
    private AnalysisTask nextTask() {
        int best = 0;
        for (int i = 0; i < TASKS.length; i++) {
            credit[i] += weights[i];
            if (credit[i] > credit[best]) {
                best = i;
            }
        }
        credit[best] -= 1;
        return TASKS[best];
    }

    /**
     * One period of the steady rate: sends, except during the ramp, where the events sent so far
     * follow rate x t^2 / (2 x ramp), the integral of a rate rising linearly from 0.
     */
    private void tick() {
        double t = (System.nanoTime() - rampStartNanos) / 1e9;
        if (t < rampSeconds && ticks >= rate * t * t / (2 * rampSeconds)) {
            return;
        }
        ticks++;
        sendNext();
    }

    private void sendNext() {
        try {
            ImageEvent event =
                    switch (nextTask()) {
                        case OCR -> scan();
                        case MODERATION -> upload();
                        case CAPTION -> frame();
                    };
            taskAudit.sent(
                    event.getEventId(),
                    AnalysisTask.valueOf(event.getTask()),
                    event.getEventTime().toEpochMilli());
            String id = event.getEventId();
            audit.handed(id);
            try {
                producer.send(
                        event,
                        (metadata, error) -> {
                            audit.acknowledged(id, error == null);
                            if (error != null) {
                                taskAudit.refused(id);
                            }
                        });
            } catch (RuntimeException refused) {
                audit.acknowledged(id, false);
                taskAudit.refused(id);
                throw refused;
            }
        } catch (RuntimeException e) {
            warnings.accept("producer: cannot send an image: " + e);
        }
    }

    private ImageEvent frame() {
        int camera = (int) (frames++ % images.cameras());
        DemoImages.Picture p = images.frame(camera);
        String source = DemoImages.cameraId(camera);
        return event(
                source + "-" + sent(AnalysisTask.CAPTION),
                source,
                AnalysisTask.CAPTION,
                p.png(),
                p.attributes());
    }

    private ImageEvent scan() {
        DemoImages.Picture p = images.page();
        byte[] png = maybeBreak(p.png(), ++scans);
        return event("scan-" + scans, SCANNER, AnalysisTask.OCR, png, p.attributes());
    }

    private ImageEvent upload() {
        DemoImages.Picture p = images.upload();
        byte[] png = maybeBreak(p.png(), ++uploads);
        return event("upload-" + uploads, UPLOADS, AnalysisTask.MODERATION, png, p.attributes());
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
