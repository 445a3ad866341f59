package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.kafka.EmbeddedKafkaBroker;
import dev.glimpse.jobs.kafka.security.AclPolicy;
import dev.glimpse.jobs.kafka.security.BrokerSecurity;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Who the demo's Kafka clients are: with {@code --secure}, three SCRAM principals with the
 * least-privilege ACLs of {@link AclPolicy} on a broker that enforces them (the job, the synthetic
 * producers and the live console each log in as their own); without it, anonymous PLAINTEXT
 * clients.
 */
final class DemoKafkaSecurity {

    static final String JOB_USER = "glimpse-job";
    static final String PRODUCER_USER = "glimpse-producer";
    static final String READER_USER = "glimpse-reader";

    /** The job's consumer group. */
    static final String GROUP_ID = "glimpse-demo";

    private final boolean secure;
    // unique per run: a new job must not fence or abort an earlier run's transactions
    private final String transactionalIdPrefix =
            "glimpse-demo-" + UUID.randomUUID().toString().substring(0, 8);

    DemoKafkaSecurity(boolean secure) {
        this.secure = secure;
    }

    /** The job's transactional-id prefix, which its ACL allows. */
    String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    /** A broker, not started yet: secured with the demo's principals and ACLs, or PLAINTEXT. */
    EmbeddedKafkaBroker newBroker() {
        return secure
                ? EmbeddedKafkaBroker.secured(BrokerSecurity.generate(acls()))
                : EmbeddedKafkaBroker.create();
    }

    /** What the demo's principals may do. */
    AclPolicy acls() {
        return AclPolicy.job(
                        JOB_USER,
                        GlimpseDemo.IMAGES_TOPIC,
                        GROUP_ID,
                        GlimpseDemo.RESULTS_TOPIC,
                        GlimpseDemo.DLQ_TOPIC,
                        transactionalIdPrefix)
                .and(AclPolicy.producer(PRODUCER_USER, GlimpseDemo.IMAGES_TOPIC))
                .and(
                        AclPolicy.reader(
                                READER_USER,
                                AclPolicy.TAIL_GROUP_PREFIX,
                                GlimpseDemo.RESULTS_TOPIC,
                                GlimpseDemo.DLQ_TOPIC));
    }

    /**
     * {@code settings} plus the job's login as {@code kafka.properties.*} (security.protocol,
     * sasl.*, ssl.*); {@code settings} alone without --secure.
     */
    Map<String, String> withJobLogin(DemoCluster cluster, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        if (secure) {
            Properties job = cluster.clientProperties(JOB_USER);
            job.stringPropertyNames().stream()
                    .filter(k -> !k.equals("bootstrap.servers"))
                    .forEach(k -> all.put("kafka.properties." + k, job.getProperty(k)));
        }
        return all;
    }

    Properties producer(DemoCluster cluster) {
        return secure ? cluster.clientProperties(PRODUCER_USER) : cluster.clientProperties();
    }

    Properties reader(DemoCluster cluster) {
        return secure ? cluster.clientProperties(READER_USER) : cluster.clientProperties();
    }

    /** One line on how the clients reach the broker, for the demo's console. */
    String describe() {
        if (!secure) {
            return "PLAINTEXT, no authentication (--secure: SASL_SSL with ACLs)";
        }
        return "SASL_SSL, SCRAM-SHA-512, TLS from a CA generated at start; ACLs enforced: "
                + JOB_USER
                + " reads "
                + GlimpseDemo.IMAGES_TOPIC
                + " and writes "
                + GlimpseDemo.RESULTS_TOPIC
                + "/"
                + GlimpseDemo.DLQ_TOPIC
                + " in transactions "
                + transactionalIdPrefix
                + "*, "
                + PRODUCER_USER
                + " writes "
                + GlimpseDemo.IMAGES_TOPIC
                + ", "
                + READER_USER
                + " reads "
                + GlimpseDemo.RESULTS_TOPIC
                + "/"
                + GlimpseDemo.DLQ_TOPIC;
    }
}
