package dev.glimpse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.VisionAnalysisJob;
import dev.glimpse.jobs.cluster.FlinkDistribution;
import dev.glimpse.jobs.cluster.ProcessCluster;
import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import dev.glimpse.jobs.demo.MixedEvents;
import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.codec.AvroCodec;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Images/s of the whole job on the in-JVM cluster and on the process cluster with 1 and 2
 * TaskManagers, in one run against the same broker process (docs/benchmarks.md, "Process cluster").
 * Not part of the test command (the name matches neither *Test nor *ITCase); run it with
 *
 * <pre>
 * mvn -B -ntp -pl e2e-tests -am verify -Dtest=ProcessClusterBenchmark \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dbench.images=400
 * </pre>
 *
 * Workload: the demo's mixed events (captions of camera frames, OCR pages, moderation images, a few
 * cut-off PNGs) from 16 sources, FrameGate off, produced before the job starts; images/s is (n - 1)
 * / (last - first result built), as PipelineBenchmark measures it. Each TaskManager has one slot
 * (so parallelism 2 uses both) and its own engine with the job's default 2 intra-op threads.
 */
class ProcessClusterBenchmark {

    private static final Path MODEL =
            Path.of(System.getProperty("glimpse.modelDir", "../model-serving/models/glimpse-tiny"))
                    .toAbsolutePath()
                    .normalize();

    @Test
    void imagesPerSecondInJvmAndOnOneAndTwoTaskManagers() throws Exception {
        int n = Integer.getInteger("bench.images", 400);
        try (ProcessCluster cluster =
                ProcessCluster.builder().taskManagers(2).slotsPerTaskManager(1).build().start()) {
            List<String> lines = new ArrayList<>();
            lines.add(
                    String.format(Locale.ROOT, "%d images, load average %.1f at start", n, load()));
            lines.add(run(cluster, "in-JVM cluster (1 slot)", "jvm", n, 0));
            lines.add(run(cluster, "process cluster, 1 TaskManager (p=1)", "p1", n, 1));
            lines.add(run(cluster, "process cluster, 2 TaskManagers (p=2)", "p2", n, 2));
            lines.add(run(cluster, "in-JVM cluster (1 slot), again", "jvm2", n, 0));
            lines.add(String.format(Locale.ROOT, "load average %.1f at the end", load()));
            System.out.println(String.join("\n", lines));
        }
    }

    /** parallelism 0 = the in-JVM cluster in this JVM. */
    private String run(ProcessCluster cluster, String label, String name, int n, int parallelism)
            throws Exception {
        String images = "bench-" + name + ".images";
        String results = "bench-" + name + ".results";
        String dlq = "bench-" + name + ".dlq";
        try (Admin admin = Admin.create(cluster.kafkaClientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(images, 2, (short) 1),
                                    new NewTopic(results, 1, (short) 1),
                                    new NewTopic(dlq, 1, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        List<ImageEvent> events = new MixedEvents(7).take(name, n, Instant.now());
        try (ImageEventProducer producer =
                new ImageEventProducer(cluster.kafkaClientProperties(), images)) {
            for (int i = 0; i < events.size(); i++) {
                events.get(i).setSourceId("src-" + (i % 16));
                events.get(i).setEventTime(Instant.now());
                producer.send(events.get(i));
            }
            producer.flush();
        }
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrapServers", cluster.bootstrapServers());
        s.put("kafka.topics.images", images);
        s.put("kafka.topics.results", results);
        s.put("kafka.topics.dlq", dlq);
        s.put("kafka.groupId", "bench-" + name);
        s.put("kafka.transactionalIdPrefix", "bench-" + name + "-" + UUID.randomUUID());
        s.put("model.dir", MODEL.toString());
        s.put("frameGate.enabled", "false");
        s.put("pipeline.checkpointInterval", "2 s");
        s.put("pipeline.parallelism", Integer.toString(Math.max(1, parallelism)));
        JobClient local = null;
        String job = null;
        if (parallelism == 0) {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            LoopbackClusterConfig.create());
            new VisionAnalysisJob(GlimpseJobConfig.from(ConfigSource.of(s))).buildOnKafka(env);
            local = env.executeAsync("bench-" + name);
        } else {
            List<String> args = new ArrayList<>();
            s.forEach((k, v) -> List.of("--set", k + "=" + v).forEach(args::add));
            job =
                    cluster.submit(
                            FlinkDistribution.jobJar(),
                            VisionAnalysisJob.class.getName(),
                            args,
                            0,
                            null);
        }
        List<Long> built = awaitResults(cluster.kafkaClientProperties(), results, dlq, n);
        if (local != null) {
            local.cancel().get(60, TimeUnit.SECONDS);
        } else {
            cluster.rest().cancel(job);
        }
        long first = built.get(0);
        long last = built.get(built.size() - 1);
        double perSecond = (built.size() - 1) * 1000.0 / Math.max(1, last - first);
        return String.format(
                Locale.ROOT,
                "%-40s %6.1f images/s (%d results in %.1f s from first to last built)",
                label,
                perSecond,
                built.size(),
                (last - first) / 1000.0);
    }

    /** Build times (event time + end-to-end latency) of the analyses, once n outcomes arrived. */
    private static List<Long> awaitResults(Properties kafka, String results, String dlq, int n)
            throws Exception {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroCodec<AnalysisResult> codec = AvroCodec.of(AnalysisResult.class);
        List<Long> built = new ArrayList<>();
        int outcomes = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(results, dlq));
            while (outcomes < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    outcomes++;
                    if (r.topic().equals(results)) {
                        AnalysisResult a = codec.decode(r.value());
                        if (!SkipRecords.isSkip(a)) {
                            built.add(
                                    a.getEventTime().toEpochMilli()
                                            + Math.round(a.getTimings().getEndToEndMs()));
                        }
                    }
                }
            }
        }
        // images/s is only comparable when every event of the run has its outcome
        assertThat(outcomes).as("outcomes of %d events after 15 min", n).isGreaterThanOrEqualTo(n);
        built.sort(Long::compare);
        return built;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
