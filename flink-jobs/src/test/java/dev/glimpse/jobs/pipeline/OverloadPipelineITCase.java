package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.codec.AvroCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A burst far beyond a tiny engine's capacity (two sequences at a time, 24 requests in flight):
 * checkpoints keep completing, nothing is lost (every event has a result or a dead letter), the
 * task priorities show in the engine's queue (moderation waits least), and captions older than
 * their deadline are skipped as STALE_SKIPPED instead of being analysed late.
 */
class OverloadPipelineITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    private static final int PER_TASK = 100;

    @Test
    void aBurstBeyondCapacityLosesNothingKeepsCheckpointingAndServesModerationFirst(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        Instant t0 = Instant.now();
        List<ImageEvent> events = new ArrayList<>();
        Set<String> staleOnArrival = new HashSet<>();
        for (int i = 0; i < 3 * PER_TASK; i++) {
            String id = String.format("evt-%04d", i);
            String task;
            byte[] png;
            Instant eventTime = t0;
            switch (i % 3) {
                case 0 -> {
                    task = "MODERATION";
                    png = TestImages.scene(i % 7, 112, 112);
                }
                case 1 -> {
                    task = "OCR";
                    png = TestImages.text("PAGE " + (i % 11), 224, 56);
                }
                default -> {
                    task = "CAPTION";
                    png = TestImages.scene(10 + i % 5, 112, 112);
                    if (i % 9 == 2) { // a third of the captions: a camera's backlog of old frames
                        eventTime = t0.minus(Duration.ofMinutes(10));
                        staleOnArrival.add(id);
                    }
                }
            }
            events.add(
                    ImageEvent.newBuilder()
                            .setEventId(id)
                            .setSourceId("camera-" + (i % 4))
                            .setEventTime(eventTime)
                            .setTask(task)
                            .setImage(new InlineImage(ByteBuffer.wrap(png)))
                            .setAttributes(Map.of())
                            .build());
        }

        Map<String, AnalysisResult> results = new HashMap<>();
        Map<String, DeadLetter> deadLetters = new HashMap<>();
        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            pipeline.settings.put("engine.maxNumSeqs", "2");
            pipeline.settings.put("pipeline.asyncCapacity", "24");
            pipeline.settings.put("pipeline.checkpointTimeout", "60 s");
            pipeline.settings.put("tasks.caption.deadline", "5 min");
            JobClient job = pipeline.start();
            // Checkpoints triggered while the tasks are still starting (loading the model) count
            // as failed: the burst starts once one has completed.
            Checkpoints atBurst = awaitFirstCheckpoint(cluster, job.getJobID());
            pipeline.produce(events);

            drainBoth(pipeline, results, deadLetters, events.size(), Duration.ofMinutes(5));

            Checkpoints after = checkpoints(cluster, job.getJobID());
            assertThat(after.failed())
                    .as("checkpoints failed during the burst")
                    .isEqualTo(atBurst.failed());
            System.out.printf(
                    "OverloadPipelineITCase: checkpoints during the burst: %d completed, %d"
                            + " failed%n",
                    after.completed() - atBurst.completed(), after.failed() - atBurst.failed());
            assertThat(after.completed() - atBurst.completed())
                    .as("checkpoints completed while the burst was analysed")
                    .isGreaterThanOrEqualTo(3);
        }

        // nothing lost, nothing twice: every event has a result or a dead letter, not both
        Set<String> answered = new HashSet<>(results.keySet());
        answered.retainAll(deadLetters.keySet());
        assertThat(answered).as("events with both a result and a dead letter").isEmpty();
        assertThat(results.size() + deadLetters.size()).isEqualTo(events.size());

        // the only dead letters are the captions that were already older than their deadline
        assertThat(deadLetters.keySet()).containsExactlyInAnyOrderElementsOf(staleOnArrival);
        for (DeadLetter d : deadLetters.values()) {
            assertThat(d.getReason()).isEqualTo(ReasonCode.STALE_SKIPPED);
            assertThat(d.getMessage())
                    .isEqualTo(
                            "event "
                                    + d.getEventId()
                                    + ": request "
                                    + d.getEventId()
                                    + " (CAPTION) skipped: older than its deadline of PT5M before"
                                    + " it could start");
        }
        assertThat(countOf(results, AnalysisTask.MODERATION)).isEqualTo(PER_TASK);
        assertThat(countOf(results, AnalysisTask.OCR)).isEqualTo(PER_TASK);
        assertThat(countOf(results, AnalysisTask.CAPTION))
                .isEqualTo(PER_TASK - staleOnArrival.size());

        // Events enter the engine in Kafka order, at most asyncCapacity at a time; the priorities
        // decide who waits inside it: moderation the least (Timings.queuedMs, up to admission).
        double moderation = mean(results, AnalysisTask.MODERATION, Timings::getQueuedMs);
        double captions = mean(results, AnalysisTask.CAPTION, Timings::getQueuedMs);
        double ocr = mean(results, AnalysisTask.OCR, Timings::getQueuedMs);
        System.out.printf(
                "OverloadPipelineITCase: %d results, %d skipped; mean queued ms: moderation %.0f,"
                        + " captions %.0f, OCR %.0f; mean end-to-end ms: moderation %.0f,"
                        + " captions %.0f, OCR %.0f%n",
                results.size(),
                deadLetters.size(),
                moderation,
                captions,
                ocr,
                mean(results, AnalysisTask.MODERATION, Timings::getEndToEndMs),
                mean(results, AnalysisTask.CAPTION, Timings::getEndToEndMs),
                mean(results, AnalysisTask.OCR, Timings::getEndToEndMs));
        assertThat(moderation).as("mean moderation wait vs captions").isLessThan(captions);
        assertThat(moderation).as("mean moderation wait vs OCR").isLessThan(ocr);
    }

    private static long countOf(Map<String, AnalysisResult> results, AnalysisTask task) {
        return results.values().stream().filter(r -> r.getTask() == task).count();
    }

    private static double mean(
            Map<String, AnalysisResult> results,
            AnalysisTask task,
            ToDoubleFunction<Timings> timing) {
        return results.values().stream()
                .filter(r -> r.getTask() == task)
                .mapToDouble(r -> timing.applyAsDouble(r.getTimings()))
                .average()
                .orElseThrow();
    }

    /**
     * Reads both output topics (read_committed) until {@code expected} events are answered, then 3
     * s more so that a duplicate would show up; fails on a duplicate.
     */
    private static void drainBoth(
            PipelineHarness pipeline,
            Map<String, AnalysisResult> results,
            Map<String, DeadLetter> deadLetters,
            int expected,
            Duration timeout)
            throws Exception {
        AvroCodec<AnalysisResult> resultCodec = AvroCodec.of(AnalysisResult.class);
        AvroCodec<DeadLetter> dlqCodec = AvroCodec.of(DeadLetter.class);
        Properties props = pipeline.broker.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "drain-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(pipeline.results, pipeline.dlq));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    if (r.topic().equals(pipeline.results)) {
                        AnalysisResult a = resultCodec.decode(r.value());
                        assertThat(results.put(a.getEventId(), a))
                                .as("second result for %s", a.getEventId())
                                .isNull();
                    } else {
                        DeadLetter d = dlqCodec.decode(r.value());
                        assertThat(deadLetters.put(d.getEventId(), d))
                                .as("second dead letter for %s", d.getEventId())
                                .isNull();
                    }
                }
                if (results.size() + deadLetters.size() >= expected
                        && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
    }

    record Checkpoints(int completed, int failed) {}

    private static Checkpoints awaitFirstCheckpoint(ClusterClient<?> cluster, JobID job)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = checkpointStats(cluster, job);
            // 500 while the JobManager initialises the job
            if (r.statusCode() == 200 && parse(r).completed() > 0) {
                return parse(r);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint completed within 2 minutes of the job's start");
    }

    /** The job's checkpoint counts from the REST API ({@code /jobs/:id/checkpoints}). */
    private static Checkpoints checkpoints(ClusterClient<?> cluster, JobID job) throws Exception {
        HttpResponse<String> r = checkpointStats(cluster, job);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return parse(r);
    }

    private static HttpResponse<String> checkpointStats(ClusterClient<?> cluster, JobID job)
            throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                cluster.getWebInterfaceURL()
                                                        + "/jobs/"
                                                        + job
                                                        + "/checkpoints"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static Checkpoints parse(HttpResponse<String> r) {
        Matcher counts = Pattern.compile("\"counts\"\\s*:\\s*\\{([^}]*)}").matcher(r.body());
        assertThat(counts.find()).as("counts in %s", r.body()).isTrue();
        return new Checkpoints(
                count(counts.group(1), "completed"), count(counts.group(1), "failed"));
    }

    private static int count(String counts, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(counts);
        assertThat(m.find()).as("%s in %s", name, counts).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
