package dev.glimpse.jobs.kafka.security;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SCRAM-SHA-512 users of the embedded broker with passwords generated at start (24 random bytes,
 * URL-safe Base64), so no password is written in the repository or reused between runs.
 *
 * <p>{@link #toString()} names the users only. Immutable and thread-safe.
 */
public final class ScramUsers {

    /** The only SASL mechanism the secured broker enables. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, String> passwords;

    private ScramUsers(Map<String, String> passwords) {
        this.passwords = passwords;
    }

    /** One user per name, each with a fresh random password. */
    public static ScramUsers generate(List<String> names) {
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String name : names) {
            if (name == null || !USER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "SCRAM user name must match " + USER_NAME + ", was '" + name + "'");
            }
            if (passwords.put(name, randomPassword()) != null) {
                throw new IllegalArgumentException("SCRAM user " + name + " is listed twice");
            }
        }
        return new ScramUsers(passwords);
    }

    /** The user names, in the order given. */
    public Set<String> names() {
        return passwords.keySet();
    }

    /** The password of {@code user}. */
    public String password(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException(
                    "No SCRAM user '" + user + "'; the broker has " + names());
        }
        return password;
    }

    /** {@code sasl.jaas.config} that logs in as {@code user} with {@code password}. */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    /** {@code sasl.jaas.config} that logs in as {@code user}. */
    public String jaasConfig(String user) {
        return jaasConfig(user, password(user));
    }

    /**
     * The credentials in the form of {@code kafka-storage.sh format --add-scram}, written into the
     * metadata log when the storage is formatted: they exist before the broker's first login.
     */
    List<String> formatterArguments() {
        return passwords.entrySet().stream()
                .map(e -> MECHANISM + "=[name=" + e.getKey() + ",password=" + e.getValue() + "]")
                .toList();
    }

    @Override
    public String toString() {
        return "ScramUsers" + names() + " (" + MECHANISM + ", passwords hidden)";
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
