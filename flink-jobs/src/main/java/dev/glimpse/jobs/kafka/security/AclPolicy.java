package dev.glimpse.jobs.kafka.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of Glimpse's three kinds of Kafka principals, as {@link AclBinding}s for
 * an {@code Admin} and as the {@code kafka-acls.sh} commands an administrator types
 * (docs/kafka-security.md lists them for the default names):
 *
 * <ul>
 *   <li>the job: read the images topic and commit offsets of its consumer group; write the results
 *       and dead-letter topics in transactions whose ids start with its transactional-id prefix;
 *       idempotent writes. Nothing else: it cannot write images, read results or create topics.
 *   <li>a producer of images: write the images topic only.
 *   <li>a reader of results: read the results and dead-letter topics with consumer groups whose
 *       names start with a prefix (TailResults and the demo use {@code glimpse-tail-}).
 * </ul>
 *
 * Each allows a set of operations; Kafka implies DESCRIBE from READ and WRITE, so none is listed.
 * Immutable and thread-safe.
 */
public final class AclPolicy {

    /** Consumer-group prefix of {@code TailResults} and the demo's console. */
    public static final String TAIL_GROUP_PREFIX = "glimpse-tail-";

    private final List<AclBinding> bindings;

    private AclPolicy(List<AclBinding> bindings) {
        this.bindings = List.copyOf(bindings);
    }

    /** No ACLs. */
    public static AclPolicy none() {
        return new AclPolicy(List.of());
    }

    /** What the Glimpse job's principal {@code user} needs, and nothing more. */
    public static AclPolicy job(
            String user,
            String imagesTopic,
            String groupId,
            String resultsTopic,
            String deadLetterTopic,
            String transactionalIdPrefix) {
        return new AclPolicy(
                List.of(
                        allow(user, ResourceType.TOPIC, imagesTopic, AclOperation.READ),
                        allow(user, ResourceType.GROUP, groupId, AclOperation.READ),
                        allow(user, ResourceType.TOPIC, resultsTopic, AclOperation.WRITE),
                        allow(user, ResourceType.TOPIC, deadLetterTopic, AclOperation.WRITE),
                        allowPrefixed(
                                user,
                                ResourceType.TRANSACTIONAL_ID,
                                transactionalIdPrefix,
                                AclOperation.WRITE),
                        allow(
                                user,
                                ResourceType.CLUSTER,
                                Resource.CLUSTER_NAME,
                                AclOperation.IDEMPOTENT_WRITE)));
    }

    /** A producer of image events: write {@code imagesTopic}. */
    public static AclPolicy producer(String user, String imagesTopic) {
        return new AclPolicy(
                List.of(allow(user, ResourceType.TOPIC, imagesTopic, AclOperation.WRITE)));
    }

    /** A reader of results and dead letters, with groups named {@code groupPrefix...}. */
    public static AclPolicy reader(
            String user, String groupPrefix, String resultsTopic, String deadLetterTopic) {
        return new AclPolicy(
                List.of(
                        allow(user, ResourceType.TOPIC, resultsTopic, AclOperation.READ),
                        allow(user, ResourceType.TOPIC, deadLetterTopic, AclOperation.READ),
                        allowPrefixed(user, ResourceType.GROUP, groupPrefix, AclOperation.READ)));
    }

    /** This policy's bindings followed by {@code other}'s. */
    public AclPolicy and(AclPolicy other) {
        return new AclPolicy(Stream.concat(bindings.stream(), other.bindings.stream()).toList());
    }

    /** This policy without the bindings that allow {@code operation} on {@code resourceName}. */
    public AclPolicy without(String resourceName, AclOperation operation) {
        List<AclBinding> kept = new ArrayList<>();
        for (AclBinding b : bindings) {
            if (!(b.pattern().name().equals(resourceName) && b.entry().operation() == operation)) {
                kept.add(b);
            }
        }
        if (kept.size() == bindings.size()) {
            throw new IllegalArgumentException(
                    "No ACL allows " + operation + " on " + resourceName + " in " + this);
        }
        return new AclPolicy(kept);
    }

    /** The bindings, in the order they were added. */
    public List<AclBinding> bindings() {
        return bindings;
    }

    /** The principals ({@code User:name}) this policy grants something to, in order. */
    public List<String> principals() {
        return bindings.stream().map(b -> b.entry().principal()).distinct().toList();
    }

    /**
     * One {@code kafka-acls.sh --add} command per binding, run as an administrator whose client
     * settings are in {@code admin.properties}.
     */
    public List<String> kafkaAclsCommands() {
        return bindings.stream().map(AclPolicy::command).toList();
    }

    @Override
    public String toString() {
        return "AclPolicy" + bindings;
    }

    static String command(AclBinding b) {
        ResourcePattern pattern = b.pattern();
        StringBuilder s =
                new StringBuilder(
                        "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config"
                                + " admin.properties --add --allow-principal ");
        s.append(b.entry().principal())
                .append(" --operation ")
                .append(operationFlag(b.entry().operation()));
        if (pattern.patternType() == PatternType.PREFIXED) {
            s.append(" --resource-pattern-type prefixed");
        }
        switch (pattern.resourceType()) {
            case TOPIC -> s.append(" --topic ").append(pattern.name());
            case GROUP -> s.append(" --group ").append(pattern.name());
            case TRANSACTIONAL_ID -> s.append(" --transactional-id ").append(pattern.name());
            case CLUSTER -> s.append(" --cluster");
            default ->
                    throw new IllegalStateException(
                            "No kafka-acls.sh flag for " + pattern.resourceType());
        }
        return s.toString();
    }

    /** READ → Read, IDEMPOTENT_WRITE → IdempotentWrite: the spelling kafka-acls.sh prints. */
    private static String operationFlag(AclOperation operation) {
        StringBuilder s = new StringBuilder();
        for (String part : operation.name().split("_")) {
            s.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }

    private static AclBinding allow(
            String user, ResourceType type, String name, AclOperation operation) {
        return binding(user, new ResourcePattern(type, name, PatternType.LITERAL), operation);
    }

    private static AclBinding allowPrefixed(
            String user, ResourceType type, String prefix, AclOperation operation) {
        return binding(user, new ResourcePattern(type, prefix, PatternType.PREFIXED), operation);
    }

    private static AclBinding binding(
            String user, ResourcePattern pattern, AclOperation operation) {
        if (user == null || user.isBlank() || pattern.name() == null || pattern.name().isBlank()) {
            throw new IllegalArgumentException(
                    "An ACL needs a user and a resource name, was user '"
                            + user
                            + "' on "
                            + pattern);
        }
        return new AclBinding(
                pattern,
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }
}
