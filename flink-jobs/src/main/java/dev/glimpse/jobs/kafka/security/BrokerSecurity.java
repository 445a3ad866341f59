package dev.glimpse.jobs.kafka.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The secured mode of the embedded broker: one SASL_SSL listener with SCRAM-SHA-512 users for every
 * client and for inter-broker traffic, a certificate authority and server certificate generated at
 * start, KRaft's {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}, and
 * the ACLs of an {@link AclPolicy} created once the broker answers.
 *
 * <pre>
 * SECURE     SASL_SSL  127.0.0.1:port   clients (SCRAM users) and inter-broker (user "broker")
 * CONTROLLER SSL       127.0.0.1:port   broker → controller, mutual TLS (CN=glimpse-broker)
 * </pre>
 *
 * <p>Why the controller listener is mutual TLS and not PLAINTEXT on loopback: the broker's requests
 * to the controller (registration, heartbeats) need CLUSTER_ACTION, and on PLAINTEXT their
 * principal is {@code User:ANONYMOUS}, which would then have to be a super user; any local process
 * (an Admin with {@code bootstrap.controllers}) could then act as one. SCRAM cannot authenticate
 * the controller listener (its credentials live in the metadata the controller serves), so the
 * broker presents its certificate instead, and only that certificate's subject is a super user.
 * Super users: {@code broker} (inter-broker), {@code admin} (topics and ACLs, what {@code
 * EmbeddedKafkaBroker.createTopic} uses) and {@code CN=glimpse-broker}; every other user gets only
 * what the policy grants.
 *
 * <p>Passwords and the private key exist only in memory and in the broker's and clients'
 * configuration, which Kafka logs as {@code [hidden]}. Immutable and thread-safe.
 */
public final class BrokerSecurity {

    /** The inter-broker SCRAM user, a super user. */
    public static final String BROKER_USER = "broker";

    /** The administrator SCRAM user (topics, ACLs), a super user. */
    public static final String ADMIN_USER = "admin";

    /** The client listener's name. */
    public static final String LISTENER = "SECURE";

    /** The controller listener's name. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final String AUTHORIZER =
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    private final CertificateAuthority authority;
    private final IssuedCertificate brokerCertificate;
    private final ScramUsers users;
    private final AclPolicy acls;

    private BrokerSecurity(
            CertificateAuthority authority,
            IssuedCertificate brokerCertificate,
            ScramUsers users,
            AclPolicy acls) {
        this.authority = authority;
        this.brokerCertificate = brokerCertificate;
        this.users = users;
        this.acls = acls;
    }

    /**
     * A new CA, a broker certificate for {@code localhost} / {@code 127.0.0.1}, SCRAM users {@code
     * broker}, {@code admin}, every user {@code acls} names and the {@code extraUsers} (e.g. one
     * without any ACL), each with a random password.
     */
    public static BrokerSecurity generate(AclPolicy acls, String... extraUsers) {
        List<String> names = new ArrayList<>(List.of(BROKER_USER, ADMIN_USER));
        for (String principal : acls.principals()) {
            String user = principal.substring("User:".length());
            if (!names.contains(user)) {
                names.add(user);
            }
        }
        for (String user : extraUsers) {
            if (!names.contains(user)) {
                names.add(user);
            }
        }
        CertificateAuthority authority = CertificateAuthority.create("glimpse-embedded-kafka-ca");
        IssuedCertificate broker =
                authority.issue("glimpse-broker", List.of("localhost"), List.of("127.0.0.1"));
        return new BrokerSecurity(authority, broker, ScramUsers.generate(names), acls);
    }

    /** The ACLs created when the broker starts. */
    public AclPolicy acls() {
        return acls;
    }

    /** The SCRAM users and their passwords. */
    public ScramUsers users() {
        return users;
    }

    /** The CA that signed the broker's certificate: what a client must trust. */
    public CertificateAuthority authority() {
        return authority;
    }

    /**
     * The listener, TLS, SASL and authorizer settings of a broker whose client listener is on
     * {@code host:brokerPort} and controller listener on {@code host:controllerPort}.
     */
    public Map<String, String> brokerProperties(String host, int brokerPort, int controllerPort) {
        String secure = LISTENER.toLowerCase(Locale.ROOT);
        String controller = CONTROLLER_LISTENER.toLowerCase(Locale.ROOT);
        String mechanism = ScramUsers.MECHANISM.toLowerCase(Locale.ROOT);
        Map<String, String> p = new HashMap<>();
        p.put(
                "listeners",
                LISTENER
                        + "://"
                        + host
                        + ":"
                        + brokerPort
                        + ","
                        + CONTROLLER_LISTENER
                        + "://"
                        + host
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", LISTENER + "://" + host + ":" + brokerPort);
        p.put(
                "listener.security.protocol.map",
                LISTENER + ":SASL_SSL," + CONTROLLER_LISTENER + ":SSL");
        p.put("inter.broker.listener.name", LISTENER);
        p.put("sasl.mechanism.inter.broker.protocol", ScramUsers.MECHANISM);
        p.put("listener.name." + secure + ".sasl.enabled.mechanisms", ScramUsers.MECHANISM);
        p.put(
                "listener.name." + secure + "." + mechanism + ".sasl.jaas.config",
                users.jaasConfig(BROKER_USER));
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.certificate.chain", brokerCertificate.certificateChainPem());
        p.put("ssl.keystore.key", brokerCertificate.privateKeyPem());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.certificates", authority.certificatePem());
        p.put("listener.name." + controller + ".ssl.client.auth", "required");
        p.put("authorizer.class.name", AUTHORIZER);
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put(
                "super.users",
                "User:"
                        + BROKER_USER
                        + ";User:"
                        + ADMIN_USER
                        + ";User:"
                        + brokerCertificate.subject());
        return p;
    }

    /** The SCRAM credentials to write when the storage is formatted. */
    public List<String> formatterScramArguments() {
        return users.formatterArguments();
    }

    /** Client settings that log in as {@code user} with its password. */
    public Properties clientProperties(String bootstrapServers, String user) {
        return clientProperties(bootstrapServers, user, users.password(user));
    }

    /**
     * Client settings that log in as {@code user} with {@code password} and trust this broker's CA:
     * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config} and a PEM
     * truststore.
     */
    public Properties clientProperties(String bootstrapServers, String user, String password) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", ScramUsers.MECHANISM);
        p.put("sasl.jaas.config", ScramUsers.jaasConfig(user, password));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.certificates", authority.certificatePem());
        return p;
    }

    @Override
    public String toString() {
        return "BrokerSecurity[SASL_SSL/"
                + ScramUsers.MECHANISM
                + ", "
                + users
                + ", CA "
                + authority.distinguishedName()
                + ", "
                + acls.bindings().size()
                + " ACLs]";
    }
}
