package dev.glimpse.jobs.kafka;

import dev.glimpse.jobs.kafka.security.AclInstaller;
import dev.glimpse.jobs.kafka.security.AclPolicy;
import dev.glimpse.jobs.kafka.security.BrokerSecurity;
import dev.glimpse.jobs.local.LocalFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running inside this JVM,
 * listening on 127.0.0.1 with free ports. Used by the demo, by integration tests (through the JUnit
 * extension in the test sources) and as a standalone process ({@link #main}).
 *
 * <p>Configured for the exactly-once sink: single-replica internal topics with one partition (fast
 * start on 2 cores) and {@code transaction.max.timeout.ms} of one hour, so Flink's default sink
 * transaction timeout is accepted (docs/toolchain.md G2).
 *
 * <p>Lifecycle: {@link #start()} formats a fresh temporary log directory and blocks until the
 * broker answers; {@link #close()} shuts it down and deletes the directory. Not thread-safe for
 * start/close; the accessors are safe once started.
 *
 * <p>{@link #secured(BrokerSecurity)} makes a broker that only speaks SASL_SSL with SCRAM users,
 * enforces ACLs and creates those of the {@link BrokerSecurity} at start (docs/kafka-security.md).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, String> overrides;
    private final BrokerSecurity security; // null: PLAINTEXT, no authorizer

    /** Non-null for a broker that keeps its log directory and ports across restarts. */
    private final Path persistentLogDir;

    private final int fixedBrokerPort;
    private final int fixedControllerPort;
    private Path logDir;
    private KafkaRaftServer server;
    private String bootstrapServers;

    private EmbeddedKafkaBroker(Map<String, String> overrides, BrokerSecurity security) {
        this(overrides, security, null, 0, 0);
    }

    private EmbeddedKafkaBroker(
            Map<String, String> overrides,
            BrokerSecurity security,
            Path persistentLogDir,
            int brokerPort,
            int controllerPort) {
        this.overrides = Map.copyOf(overrides);
        this.security = security;
        this.persistentLogDir = persistentLogDir;
        this.fixedBrokerPort = brokerPort;
        this.fixedControllerPort = controllerPort;
    }

    /**
     * A PLAINTEXT broker on fixed ports whose log directory outlives it: {@link #start()} formats
     * {@code logDir} only when it holds no KRaft metadata yet, and {@link #close()} leaves it, so
     * that a restarted broker (same ports, same directory) serves the same topics, offsets and
     * transactions, like a restarted broker of a real cluster.
     */
    public static EmbeddedKafkaBroker persistent(Path logDir, int brokerPort, int controllerPort) {
        if (brokerPort <= 0 || controllerPort <= 0 || brokerPort == controllerPort) {
            throw new IllegalArgumentException(
                    "A persistent broker needs two distinct fixed ports, was "
                            + brokerPort
                            + " and "
                            + controllerPort);
        }
        return new EmbeddedKafkaBroker(Map.of(), null, logDir, brokerPort, controllerPort);
    }

    /** A broker with the default configuration. */
    public static EmbeddedKafkaBroker create() {
        return new EmbeddedKafkaBroker(Map.of(), null);
    }

    /** A broker with {@code brokerProperties} overriding the defaults (e.g. message.max.bytes). */
    public static EmbeddedKafkaBroker withProperties(Map<String, String> brokerProperties) {
        return new EmbeddedKafkaBroker(brokerProperties, null);
    }

    /** A SASL_SSL-only broker with {@code security}'s users, certificates and ACLs. */
    public static EmbeddedKafkaBroker secured(BrokerSecurity security) {
        return secured(security, Map.of());
    }

    /** A secured broker with {@code brokerProperties} overriding the defaults. */
    public static EmbeddedKafkaBroker secured(
            BrokerSecurity security, Map<String, String> brokerProperties) {
        if (security == null) {
            throw new IllegalArgumentException("A secured broker needs a BrokerSecurity");
        }
        return new EmbeddedKafkaBroker(brokerProperties, security);
    }

    /** Formats storage, starts the broker and waits until it answers an Admin request. */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("Broker already started at " + bootstrapServers);
        }
        try {
            logDir =
                    persistentLogDir != null
                            ? Files.createDirectories(persistentLogDir)
                            : Files.createTempDirectory("glimpse-kafka-");
            int brokerPort = persistentLogDir != null ? fixedBrokerPort : freePort();
            int controllerPort = persistentLogDir != null ? fixedControllerPort : freePort();
            Properties props = brokerProperties(brokerPort, controllerPort, logDir);
            KafkaConfig config = new KafkaConfig(props, false);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(logDir, security);
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            bootstrapServers = LOOPBACK + ":" + brokerPort;
            awaitReady();
            if (security != null) {
                grant(security.acls());
            }
            LOG.info("Embedded Kafka broker ready at {} (logs in {})", bootstrapServers, logDir);
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Cannot create the broker's log directory", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code host:port} of the client listener (PLAINTEXT, or SASL_SSL when secured). */
    public String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("Broker not started");
        }
        return bootstrapServers;
    }

    /**
     * Client properties that reach this broker: bootstrap servers only, or when secured those of
     * the administrator (a super user).
     */
    public Properties clientProperties() {
        if (security != null) {
            return security.clientProperties(bootstrapServers(), BrokerSecurity.ADMIN_USER);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Client properties that log in as the SCRAM {@code user} of a secured broker. */
    public Properties clientProperties(String user) {
        return securityOrThrow().clientProperties(bootstrapServers(), user);
    }

    /** The security of a secured broker; empty for a PLAINTEXT one. */
    public Optional<BrokerSecurity> security() {
        return Optional.ofNullable(security);
    }

    /** Creates {@code policy}'s ACLs on a secured broker; returns once they are enforced. */
    public void grant(AclPolicy policy) {
        securityOrThrow();
        AclInstaller.install(clientProperties(), policy);
    }

    private BrokerSecurity securityOrThrow() {
        if (security == null) {
            throw new IllegalStateException(
                    "The broker at " + bootstrapServers + " is not secured");
        }
        return security;
    }

    /** Creates {@code topic} with {@code partitions} partitions; a no-op if it exists. */
    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    /**
     * Creates {@code topic} with topic-level {@code configs} (a no-op if it exists) and returns
     * once the broker lists it: the controller acknowledges a creation before the broker has
     * applied it.
     */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(clientProperties())) {
            try {
                admin.createTopics(
                                List.of(
                                        new NewTopic(topic, partitions, (short) 1)
                                                .configs(configs)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + topic, e.getCause());
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Topic " + topic + " not listed 30 s after creation");
                }
                sleep(20);
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create topic " + topic, e);
        }
    }

    /** Stops the broker and deletes its log directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Error while stopping the embedded Kafka broker", e);
            }
            server = null;
        }
        bootstrapServers = null;
        if (logDir != null && persistentLogDir == null) {
            deleteRecursively(logDir);
            logDir = null;
        }
    }

    private Properties brokerProperties(int brokerPort, int controllerPort, Path dir) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put(
                "listeners",
                "PLAINTEXT://"
                        + LOOPBACK
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + LOOPBACK
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        p.put("log.dirs", dir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Flink's KafkaSink defaults to a 1 h transaction timeout; the broker default max is 15
        // min.
        p.put("transaction.max.timeout.ms", Long.toString(Duration.ofHours(1).toMillis()));
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        if (security != null) {
            p.putAll(security.brokerProperties(LOOPBACK, brokerPort, controllerPort));
        }
        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private static void format(Path dir, BrokerSecurity security) {
        try {
            Formatter formatter = new Formatter();
            if (security != null) {
                // SCRAM credentials in the first metadata records: the broker's own inter-broker
                // login works from its first start.
                formatter.setScramArguments(security.formatterScramArguments());
            }
            formatter
                    .setPrintStream(
                            new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format KRaft storage in " + dir, e);
        }
    }

    private void awaitReady() {
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "Embedded Kafka broker at "
                                        + bootstrapServers
                                        + " did not answer within "
                                        + STARTUP_TIMEOUT,
                                e);
                    }
                }
                sleep(100);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the broker", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            LocalFiles.deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot delete {}", dir, e);
        }
    }
}
