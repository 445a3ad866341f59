package dev.glimpse.jobs.kafka;

import dev.glimpse.jobs.kafka.security.BrokerSecurity;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs one {@link EmbeddedKafkaBroker} per test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * }</pre>
 *
 * Tests get the broker as a parameter or through {@link #broker()}, and use {@link
 * #uniqueTopic(String)} so that each test writes to a topic of its own.
 */
public final class EmbeddedKafkaExtension
        implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final Map<String, String> brokerProperties;
    private final BrokerSecurity security; // null: a PLAINTEXT broker
    private EmbeddedKafkaBroker broker;

    public EmbeddedKafkaExtension() {
        this(Map.of());
    }

    public EmbeddedKafkaExtension(Map<String, String> brokerProperties) {
        this(brokerProperties, null);
    }

    private EmbeddedKafkaExtension(Map<String, String> brokerProperties, BrokerSecurity security) {
        this.brokerProperties = Map.copyOf(brokerProperties);
        this.security = security;
    }

    /** A secured broker (SASL_SSL, SCRAM users, ACLs) per test class. */
    public static EmbeddedKafkaExtension secured(BrokerSecurity security) {
        return new EmbeddedKafkaExtension(Map.of(), security);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker =
                (security == null
                                ? EmbeddedKafkaBroker.withProperties(brokerProperties)
                                : EmbeddedKafkaBroker.secured(security, brokerProperties))
                        .start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The running broker. */
    public EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("The broker runs only between beforeAll and afterAll");
        }
        return broker;
    }

    /** Creates a fresh topic named {@code prefix-<random>} with {@code partitions} partitions. */
    public String uniqueTopic(String prefix, int partitions) {
        String topic = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        broker().createTopic(topic, partitions);
        return topic;
    }

    /** Creates a fresh single-partition topic named {@code prefix-<random>}. */
    public String uniqueTopic(String prefix) {
        return uniqueTopic(prefix, 1);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker();
    }
}
