package dev.glimpse.jobs.kafka.security;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Hides the secret values of Kafka client settings, so that a configuration can be printed or put
 * in an exception message: the settings Kafka itself types as passwords ({@code sasl.jaas.config},
 * {@code ssl.key.password}, {@code ssl.keystore.key}, ...) and, for settings Kafka does not know (a
 * plug-in's), any key that mentions a password, secret, token or JAAS.
 */
public final class ClientSecrets {

    /** What a hidden value prints as; the same word Kafka's own configuration dumps use. */
    public static final String HIDDEN = "[hidden]";

    private static final Set<String> PASSWORD_KEYS = passwordKeys();

    private ClientSecrets() {}

    /** Whether the value of client setting {@code key} is a secret. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return PASSWORD_KEYS.contains(key)
                || k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("jaas");
    }

    /** {@code properties} sorted by key, with every secret value replaced by {@link #HIDDEN}. */
    public static Map<String, String> redact(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecret(k) ? HIDDEN : v));
        return shown;
    }

    private static Set<String> passwordKeys() {
        Set<String> keys = new HashSet<>();
        for (ConfigDef def :
                new ConfigDef[] {
                    ConsumerConfig.configDef(),
                    ProducerConfig.configDef(),
                    AdminClientConfig.configDef()
                }) {
            def.configKeys()
                    .forEach(
                            (name, key) -> {
                                if (key.type == ConfigDef.Type.PASSWORD) {
                                    keys.add(name);
                                }
                            });
        }
        return Set.copyOf(keys);
    }
}
