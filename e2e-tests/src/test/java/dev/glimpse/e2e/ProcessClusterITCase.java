package dev.glimpse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.jobs.VisionAnalysisJob;
import dev.glimpse.jobs.cluster.FlinkDistribution;
import dev.glimpse.jobs.cluster.ProcessCluster;
import dev.glimpse.jobs.demo.MixedEvents;
import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.schemas.ImageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shaded job jar on a local multi-process cluster (a JobManager, TaskManager JVMs, a Kafka
 * broker JVM), submitted over REST like {@code flink run}. One cluster for the class, started with
 * one TaskManager: the savepoint chain runs every job on that same TaskManager process (each job a
 * new user-code class loader loading ONNX Runtime and the tokenizers again), the broker restart
 * follows, and the kill test adds TaskManagers to kill.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessClusterITCase {

    private static final Duration JOB_START = Duration.ofMinutes(4);
    private static final Duration DRAIN = Duration.ofMinutes(6);
    private static final Path MODEL =
            Path.of(System.getProperty("glimpse.modelDir", "../model-serving/models/glimpse-tiny"))
                    .toAbsolutePath()
                    .normalize();

    private ProcessCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = ProcessCluster.builder().taskManagers(1).slotsPerTaskManager(2).build().start();
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void savepointResumeRescaleAndReconfigureLoseNothingAndDuplicateNothingOnTheSameTaskManager()
            throws Exception {
        Topics t = topics("sp");
        long tmPid = cluster.taskManagerPids().get(0);
        try (Outcomes outcomes = new Outcomes(cluster.kafkaClientProperties(), t.results, t.dlq)) {
            List<String> ids = new ArrayList<>();
            Map<String, String> settings = settings(t, "sp");
            // 1: first deployment; 2: the same jar and settings from the savepoint; 3: parallelism
            // 1 -> 2; 4: another engine batching setting
            List<Map<String, String>> upgrades =
                    List.of(
                            Map.of(),
                            Map.of(),
                            Map.of("pipeline.parallelism", "2"),
                            Map.of("pipeline.parallelism", "2", "engine.maxNumSeqs", "4"));
            String savepoint = null;
            for (int phase = 0; phase < upgrades.size(); phase++) {
                Map<String, String> s = new LinkedHashMap<>(settings);
                s.putAll(upgrades.get(phase));
                String job = submit(s, savepoint);
                assertThat(
                                cluster.rest()
                                        .job(job)
                                        .path("vertices")
                                        .get(0)
                                        .path("parallelism")
                                        .asInt())
                        .as("phase %d parallelism", phase)
                        .isEqualTo(Integer.parseInt(s.getOrDefault("pipeline.parallelism", "1")));
                ids.addAll(produce(t.images, "sp" + phase, 8));
                // stop while some of the phase's events are still in flight (async state)
                awaitSome(outcomes, ids, ids.size() - 6);
                if (phase < upgrades.size() - 1) {
                    savepoint =
                            cluster.rest()
                                    .stopWithSavepoint(
                                            job,
                                            cluster.workDir().resolve("savepoints"),
                                            Duration.ofMinutes(3));
                    awaitState(job, "FINISHED");
                } else {
                    outcomes.awaitAll(ids, DRAIN, cluster::checkAlive);
                    cluster.rest().cancel(job);
                }
            }
            assertExactlyOnce(outcomes, ids);
            // every job ran on the one TaskManager process: native libraries loaded again by
            // each job's user-code class loader in the same JVM
            assertThat(cluster.taskManagerPids()).containsExactly(tmPid);
            assertThat(ids).allSatisfy(id -> assertThat(outcomes.of(id)).hasSize(1));
            assertThat(outcomes.of("sp3-0").get(0)).startsWith("result:");
        }
    }

    @Test
    @Order(2)
    void aBrokerRestartMidStreamLosesNothing() throws Exception {
        Topics t = topics("broker");
        try (Outcomes outcomes = new Outcomes(cluster.kafkaClientProperties(), t.results, t.dlq)) {
            String job = submit(settings(t, "broker"), null);
            List<String> ids = new ArrayList<>(produce(t.images, "before", 8));
            awaitSome(outcomes, ids, 2);
            cluster.restartBroker(true);
            ids.addAll(produce(t.images, "after", 8));
            outcomes.awaitAll(ids, DRAIN, cluster::checkAlive);
            cluster.rest().cancel(job);
            assertExactlyOnce(outcomes, ids);
        }
    }

    @Test
    @Order(3)
    void threeTaskManagerKillsLoseNothingDuplicateNothingAndChangeNoText() throws Exception {
        cluster.startTaskManager();
        cluster.awaitTaskManagers(2, JOB_START);
        Topics t = topics("kill");
        try (Outcomes outcomes = new Outcomes(cluster.kafkaClientProperties(), t.results, t.dlq)) {
            String job = submit(settings(t, "kill"), null);
            List<String> ids = new ArrayList<>();
            for (int kill = 0; kill < 3; kill++) {
                ids.addAll(produce(t.images, "k" + kill, 8));
                awaitSome(outcomes, ids, ids.size() - 6);
                String victim = taskManagerRunning(job);
                long before = cluster.rest().numRestarts(job);
                cluster.killTaskManager(victim);
                cluster.startTaskManager();
                // the JobManager noticed this kill and restarted the job, which runs again
                awaitRestarts(job, before + 1);
                cluster.awaitJobRunning(job, JOB_START);
            }
            outcomes.awaitAll(ids, DRAIN, cluster::checkAlive);
            // the same images again, without kills: the reference outcomes
            List<String> reference = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                reference.addAll(produce(t.images, "ref" + k, 8));
            }
            outcomes.awaitAll(reference, DRAIN, cluster::checkAlive);
            long restarts = cluster.rest().numRestarts(job);
            cluster.rest().cancel(job);

            assertThat(restarts).isGreaterThanOrEqualTo(3);
            assertExactlyOnce(outcomes, ids);
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < 8; i++) {
                    assertThat(outcomes.of("k" + k + "-" + i))
                            .as("k%d-%d against its reference", k, i)
                            .isEqualTo(outcomes.of("ref" + k + "-" + i));
                }
            }
        }
    }

    private record Topics(String images, String results, String dlq) {}

    private Topics topics(String name) throws Exception {
        Topics t = new Topics(name + ".images", name + ".results", name + ".dlq");
        try (Admin admin = Admin.create(cluster.kafkaClientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(t.images, 1, (short) 1),
                                    new NewTopic(t.results, 1, (short) 1),
                                    new NewTopic(t.dlq, 1, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        return t;
    }

    private Map<String, String> settings(Topics t, String name) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrapServers", cluster.bootstrapServers());
        s.put("kafka.topics.images", t.images);
        s.put("kafka.topics.results", t.results);
        s.put("kafka.topics.dlq", t.dlq);
        s.put("kafka.groupId", "e2e-" + name);
        s.put("kafka.transactionalIdPrefix", "e2e-" + name);
        s.put("model.dir", MODEL.toString());
        s.put("pipeline.checkpointInterval", "2 s");
        return s;
    }

    /** {@code flink run [-s savepoint] -c VisionAnalysisJob glimpse-job.jar --set k=v ...}. */
    private String submit(Map<String, String> settings, String savepoint) throws Exception {
        List<String> args = new ArrayList<>();
        settings.forEach(
                (k, v) -> {
                    args.add("--set");
                    args.add(k + "=" + v);
                });
        String job =
                cluster.submit(
                        FlinkDistribution.jobJar(),
                        VisionAnalysisJob.class.getName(),
                        args,
                        0,
                        savepoint);
        cluster.awaitJobRunning(job, JOB_START);
        return job;
    }

    /** Sends {@code count} mixed events with ids {@code <prefix>-<i>}; returns their ids. */
    private List<String> produce(String topic, String prefix, int count) throws Exception {
        List<ImageEvent> events = new MixedEvents(2026).take(prefix, count, Instant.now());
        List<String> ids = new ArrayList<>();
        try (ImageEventProducer producer =
                new ImageEventProducer(cluster.kafkaClientProperties(), topic)) {
            List<Future<?>> acks = new ArrayList<>();
            for (ImageEvent e : events) {
                acks.add(producer.send(e));
                ids.add(e.getEventId());
            }
            for (Future<?> ack : acks) {
                ack.get(3, TimeUnit.MINUTES);
            }
        }
        return ids;
    }

    private void awaitSome(Outcomes outcomes, List<String> ids, int atLeast) throws Exception {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (ids.size() - outcomes.missing(ids).size() < atLeast) {
            cluster.checkAlive();
            assertThat(System.nanoTime())
                    .as("outcomes for %d events", atLeast)
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** The resource id of the TaskManager that runs the job's source. */
    private String taskManagerRunning(String job) throws Exception {
        JsonNode details = cluster.rest().job(job);
        String vertex = details.path("vertices").get(0).path("id").asText();
        JsonNode tms = cluster.rest().get("jobs/" + job + "/vertices/" + vertex + "/taskmanagers");
        // the entry whose tasks run (an entry of a finished attempt may linger)
        String id = tms.path("taskmanagers").get(0).path("taskmanager-id").asText();
        for (JsonNode tm : tms.path("taskmanagers")) {
            if ("RUNNING".equals(tm.path("status").asText())) {
                id = tm.path("taskmanager-id").asText();
            }
        }
        assertThat(cluster.taskManagerIds()).contains(id);
        return id;
    }

    private void awaitState(String job, String state) throws Exception {
        long deadline = System.nanoTime() + JOB_START.toNanos();
        while (!cluster.rest().jobState(job).equals(state)) {
            assertThat(System.nanoTime()).as("job %s %s", job, state).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private void awaitRestarts(String job, long atLeast) throws Exception {
        long deadline = System.nanoTime() + JOB_START.toNanos();
        while (cluster.rest().numRestarts(job) < atLeast) {
            assertThat(System.nanoTime()).as("restart %d", atLeast).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static void assertExactlyOnce(Outcomes outcomes, List<String> ids) {
        Set<String> duplicates = new TreeSet<>();
        for (String id : ids) {
            if (outcomes.of(id).size() != 1) {
                duplicates.add(id + "=" + outcomes.of(id));
            }
        }
        assertThat(outcomes.missing(ids)).as("events without an outcome").isEmpty();
        assertThat(duplicates).as("events with more than one outcome").isEmpty();
        assertThat(outcomes.ids().stream().filter(k -> k.startsWith("undecodable"))).isEmpty();
    }
}
