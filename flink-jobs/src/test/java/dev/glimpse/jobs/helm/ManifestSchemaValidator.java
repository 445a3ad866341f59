package dev.glimpse.jobs.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates rendered Kubernetes manifests strictly against the schemas of the API they target: the
 * CRDs the chart renders (FlinkDeployment of the Flink Kubernetes Operator 1.13, Strimzi's
 * KafkaTopic {@code v1}, and {@code v1beta2} from Strimzi 0.51 for the fallback, the Prometheus
 * Operator's PodMonitor), vendored under {@code src/test/resources/chart-validation} (see ORIGIN.md
 * there), and the core kinds the chart renders, whose schemas {@link CoreObjectSchemas} derives.
 * Unknown fields are errors (see {@link StrictCrdSchema}); a manifest of a kind without a schema
 * here is an error too, so a new kind in the chart cannot go unchecked.
 *
 * <p>Schemas are compiled on first use and cached; not thread-safe.
 */
final class ManifestSchemaValidator {

    private static final String RESOURCES = "/chart-validation/";

    /** apiVersion + " " + kind → the CRD file and the version in it. */
    private static final Map<String, String[]> CRDS =
            Map.of(
                    "flink.apache.org/v1beta1 FlinkDeployment",
                    new String[] {
                        "flinkdeployments.flink.apache.org-v1.operator-1.13.0.yml", "v1beta1"
                    },
                    "kafka.strimzi.io/v1 KafkaTopic",
                    new String[] {"kafkatopics.kafka.strimzi.io.strimzi-main-2026-08.yaml", "v1"},
                    "kafka.strimzi.io/v1beta2 KafkaTopic",
                    new String[] {"kafkatopics.kafka.strimzi.io.strimzi-0.51.0.yaml", "v1beta2"},
                    "monitoring.coreos.com/v1 PodMonitor",
                    new String[] {
                        "podmonitors.monitoring.coreos.com.prometheus-operator-main-2026-08.yaml",
                        "v1"
                    });

    private static final List<Class<?>> CORE_KINDS =
            List.of(
                    ConfigMap.class,
                    Secret.class,
                    ServiceAccount.class,
                    NetworkPolicy.class,
                    Role.class,
                    RoleBinding.class);

    private final SchemaRegistry registry =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Schema> compiled = new HashMap<>();

    /** The keys "apiVersion kind" this validator has a schema for. */
    static List<String> knownKinds() {
        List<String> out = new java.util.ArrayList<>(CRDS.keySet());
        for (Class<?> kind : CORE_KINDS) {
            out.add(CoreObjectSchemas.apiVersion(kind) + " " + kind.getSimpleName());
        }
        return out;
    }

    /**
     * The schema violations of one manifest, each as "{@code <kind>/<name> <instance location>:
     * <message>}"; empty when it is valid.
     */
    List<String> validate(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
        String id = key + "/" + manifest.path("metadata").path("name").asText();
        Schema schema = schemaFor(key);
        if (schema == null) {
            return List.of(
                    id + ": no schema for apiVersion/kind " + key + "; known: " + knownKinds());
        }
        List<Error> errors = schema.validate(StrictCrdSchema.toJson(manifest), InputFormat.JSON);
        return errors.stream()
                .map(e -> id + " " + e.getInstanceLocation() + ": " + e.getMessage())
                .toList();
    }

    private Schema schemaFor(String key) {
        Schema cached = compiled.get(key);
        if (cached != null) {
            return cached;
        }
        ObjectNode json = jsonSchema(key);
        if (json == null) {
            return null;
        }
        Schema schema = registry.getSchema(StrictCrdSchema.toJson(json), InputFormat.JSON);
        compiled.put(key, schema);
        return schema;
    }

    /** The strict JSON Schema for "apiVersion kind", or null when there is none. */
    static ObjectNode jsonSchema(String key) {
        String[] crd = CRDS.get(key);
        if (crd != null) {
            JsonNode definition = StrictCrdSchema.parseCrd(resource(crd[0]));
            return StrictCrdSchema.of(definition, crd[1], CoreObjectSchemas.objectMeta());
        }
        for (Class<?> kind : CORE_KINDS) {
            if (key.equals(CoreObjectSchemas.apiVersion(kind) + " " + kind.getSimpleName())) {
                return CoreObjectSchemas.of(kind);
            }
        }
        return null;
    }

    static String resource(String name) {
        try (InputStream in = ManifestSchemaValidator.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
