package dev.glimpse.jobs.kafka.security;

import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/** Creates the ACLs of a policy as an administrator and waits until the broker enforces them. */
public final class AclInstaller {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AclInstaller() {}

    /**
     * Creates {@code policy}'s ACLs with an Admin built from {@code adminProperties} and returns
     * once the broker lists every one of them: the controller acknowledges a creation before the
     * broker's authorizer has applied it, and a client that starts in between would be denied.
     */
    public static void install(Properties adminProperties, AclPolicy policy) {
        if (policy.bindings().isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(adminProperties)) {
            admin.createAcls(policy.bindings()).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                Set<AclBinding> present =
                        new HashSet<>(
                                admin.describeAcls(AclBindingFilter.ANY)
                                        .values()
                                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                if (present.containsAll(policy.bindings())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "The broker does not list the ACLs "
                                    + policy.bindings()
                                    + " "
                                    + TIMEOUT.toSeconds()
                                    + " s after their creation");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating ACLs " + policy, e);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create the ACLs " + policy, e);
        }
    }
}
