package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.VisionAnalysisJob;
import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import dev.glimpse.jobs.kafka.EmbeddedKafkaBroker;
import dev.glimpse.jobs.local.LocalFiles;
import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import dev.glimpse.serving.model.ModelDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs the real {@link VisionAnalysisJob} on the test's MiniCluster between fresh topics of the
 * embedded broker, with the bundled model: produce events, drain the committed results and dead
 * letters, cancel.
 */
final class PipelineHarness implements AutoCloseable {

    final EmbeddedKafkaBroker broker;
    final String images;
    final String results;
    final String dlq;
    final Map<String, String> settings = new HashMap<>();

    /** Restarts before the job fails for good; 0 = none (tests that expect the job to fail). */
    int restartAttempts = 10;

    private final Path checkpointDir;
    private JobClient job;

    PipelineHarness(EmbeddedKafkaBroker broker) {
        this.broker = broker;
        String run = UUID.randomUUID().toString().substring(0, 8);
        images = "images-" + run;
        results = "results-" + run;
        dlq = "dlq-" + run;
        broker.createTopic(images, 2);
        broker.createTopic(results, 2);
        broker.createTopic(dlq, 1);
        try {
            checkpointDir = Files.createTempDirectory("glimpse-it-checkpoints");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        settings.put("kafka.bootstrapServers", broker.bootstrapServers());
        settings.put("kafka.topics.images", images);
        settings.put("kafka.topics.results", results);
        settings.put("kafka.topics.dlq", dlq);
        settings.put("kafka.groupId", "glimpse-" + run);
        settings.put("kafka.transactionalIdPrefix", "glimpse-" + run);
        settings.put("model.dir", bundledModel());
        settings.put("pipeline.checkpointInterval", "500 ms");
        settings.put("pipeline.checkpointDir", checkpointDir.toUri().toString());
        settings.put("frameGate.enabled", "false");
        // Captions skip when older than their deadline (60 s by default): a test that is not about
        // freshness must not lose captions to a slow, shared machine (OverloadPipelineITCase sets
        // its own deadline).
        settings.put("tasks.caption.deadline", "0 s");
    }

    static String bundledModel() {
        return ModelDirectory.locateBundled().toAbsolutePath().normalize().toString();
    }

    GlimpseJobConfig config() {
        return GlimpseJobConfig.from(ConfigSource.of(settings));
    }

    /** Submits the job to the MiniCluster (asynchronously). */
    JobClient start() throws Exception {
        GlimpseJobConfig config = config();
        Configuration restarts = new Configuration();
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY,
                restartAttempts == 0 ? "none" : "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(restarts);
        new VisionAnalysisJob(config).buildOnKafka(env);
        job = env.executeAsync("glimpse-it");
        return job;
    }

    /**
     * The job logs in with {@code client}'s settings (security.protocol, sasl.*, ssl.*) as {@code
     * kafka.properties.*}; the harness's own producer and readers keep the broker's.
     */
    void jobClientProperties(Properties client) {
        client.stringPropertyNames().stream()
                .filter(k -> !k.equals("bootstrap.servers"))
                .forEach(k -> settings.put("kafka.properties." + k, client.getProperty(k)));
    }

    /** Produces events (plain Avro with the version header), keyed by source id. */
    void produce(List<ImageEvent> events) {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (ImageEvent e : events) {
            ProducerRecord<byte[], byte[]> r =
                    new ProducerRecord<>(
                            images,
                            e.getSourceId().getBytes(StandardCharsets.UTF_8),
                            codec.encode(e));
            r.headers().add(SchemaHistory.VERSION_HEADER, "1".getBytes(StandardCharsets.US_ASCII));
            records.add(r);
        }
        produceRaw(records);
    }

    void produceRaw(List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = broker.clientProperties();
        props.put("max.request.size", Integer.toString(16 << 20));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r);
            }
            producer.flush();
        }
    }

    /** The analyses on the results topic (the frame gate's skip records left out). */
    List<AnalysisResult> drainResults(int expected, Duration timeout) throws Exception {
        return drain(results, AnalysisResult.class, r -> !SkipRecords.isSkip(r), expected, timeout);
    }

    /** The frame gate's skip records on the results topic. */
    List<AnalysisResult> drainSkips(int expected, Duration timeout) throws Exception {
        return drain(results, AnalysisResult.class, SkipRecords::isSkip, expected, timeout);
    }

    List<DeadLetter> drainDeadLetters(int expected, Duration timeout) throws Exception {
        return drain(dlq, DeadLetter.class, expected, timeout);
    }

    /**
     * Reads {@code topic} with isolation read_committed until {@code expected} records arrived (or
     * the timeout), then 3 s more so that a duplicate would show up.
     */
    <T extends SpecificRecord> List<T> drain(
            String topic, Class<T> type, int expected, Duration timeout) throws Exception {
        return drain(topic, type, r -> true, expected, timeout);
    }

    /** {@link #drain(String, Class, int, Duration)} of the records that {@code keep} accepts. */
    <T extends SpecificRecord> List<T> drain(
            String topic,
            Class<T> type,
            java.util.function.Predicate<T> keep,
            int expected,
            Duration timeout)
            throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        Properties props = broker.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "drain-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                if (job != null && job.getJobStatus().get().isGloballyTerminalState()) {
                    throw new AssertionError(
                            "the job ended ("
                                    + job.getJobStatus().get()
                                    + ") after "
                                    + out.size()
                                    + " records of "
                                    + topic,
                            failureOf(job));
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    T record = codec.decode(r.value());
                    if (keep.test(record)) {
                        out.add(record);
                    }
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return out;
    }

    /** The exception a terminated job failed with (its root cause chain), or null. */
    private static Throwable failureOf(JobClient job) {
        try {
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    static <T> Map<String, T> byId(List<T> records, Function<T, String> id) {
        Map<String, T> map = new HashMap<>();
        for (T r : records) {
            assertThat(map.put(id.apply(r), r)).as("duplicate record for %s", id.apply(r)).isNull();
        }
        return map;
    }

    @Override
    public void close() throws Exception {
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception e) {
                // already finished or failed: nothing to cancel
            }
        }
        LocalFiles.deleteRecursively(checkpointDir);
    }
}
