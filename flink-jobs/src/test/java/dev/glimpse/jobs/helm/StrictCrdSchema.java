package dev.glimpse.jobs.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@code openAPIV3Schema} of one CRD version into a JSON Schema (draft 2020-12) that
 * rejects what the API server would drop or refuse.
 *
 * <p>A CRD schema has no {@code additionalProperties: false}: the API server prunes unknown fields
 * silently (structural-schema pruning), so a misspelt field is lost without an error. Here an
 * unknown field is an error instead: every object of the structural part of the schema (its {@code
 * properties}, {@code items} and {@code additionalProperties}, not the value validations under
 * {@code allOf}, {@code anyOf}, {@code oneOf} and {@code not}) gets {@code additionalProperties:
 * false}, unless it is marked {@code x-kubernetes-preserve-unknown-fields: true} or already says
 * what its extra keys hold. The OpenAPI extensions become their JSON Schema meaning: {@code
 * nullable} adds {@code "null"} to the type, {@code x-kubernetes-int-or-string} becomes an
 * integer-or-string type, {@code x-kubernetes-embedded-resource} requires apiVersion/kind/metadata
 * fields. OpenAPI formats (int32, int64, byte, date-time) are annotations only and are dropped. The
 * root's {@code metadata}, which a CRD leaves as a bare object, is replaced by the strict
 * ObjectMeta schema.
 *
 * <p>Stateless; the input is not modified.
 */
final class StrictCrdSchema {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StrictCrdSchema() {}

    /**
     * The strict schema of {@code version} of the CRD {@code crd} (a parsed
     * CustomResourceDefinition).
     *
     * @param objectMeta the schema of metadata (ObjectMeta) to use at the root
     * @throws IllegalArgumentException when the CRD does not serve that version
     */
    static ObjectNode of(JsonNode crd, String version, JsonNode objectMeta) {
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals(version)) {
                if (!v.path("served").asBoolean()) {
                    throw new IllegalArgumentException(
                            crd.path("metadata").path("name").asText()
                                    + " does not serve "
                                    + version);
                }
                ObjectNode root = v.path("schema").path("openAPIV3Schema").deepCopy();
                strict(root);
                // ObjectMeta's definitions move to the root, where its "#/$defs/..." references
                // resolve.
                ObjectNode meta = objectMeta.deepCopy();
                JsonNode defs = meta.remove("$defs");
                ObjectNode props = (ObjectNode) root.path("properties");
                props.set("metadata", meta);
                // The API server knows apiVersion and kind of every object, whether the CRD lists
                // them
                // or not (the operator's CRD does not).
                props.putObject("apiVersion")
                        .put("const", crd.path("spec").path("group").asText() + "/" + version);
                props.putObject("kind")
                        .put("const", crd.path("spec").path("names").path("kind").asText());
                if (defs != null) {
                    root.set("$defs", defs);
                }
                root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
                return root;
            }
        }
        throw new IllegalArgumentException(
                crd.path("metadata").path("name").asText() + " has no version " + version);
    }

    /** The versions a CRD file serves, for error messages. */
    static List<String> servedVersions(JsonNode crd) {
        List<String> out = new ArrayList<>();
        crd.path("spec")
                .path("versions")
                .forEach(
                        v -> {
                            if (v.path("served").asBoolean()) {
                                out.add(v.path("name").asText());
                            }
                        });
        return out;
    }

    private static void strict(ObjectNode schema) {
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            schema.remove("type");
            ArrayNode types = schema.putArray("type");
            types.add("integer").add("string");
        }
        if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
            ArrayNode required = schema.withArray("required");
            for (String field : List.of("apiVersion", "kind")) {
                required.add(field);
            }
        }
        if (schema.path("nullable").asBoolean(false) && schema.path("type").isTextual()) {
            String type = schema.path("type").asText();
            ArrayNode types = schema.putArray("type");
            types.add(type).add("null");
        }
        removeExtensions(schema);

        boolean isObject =
                schema.path("type").asText().equals("object") || schema.has("properties");
        if (isObject && !preserve && !schema.has("additionalProperties")) {
            schema.put("additionalProperties", false);
        }
        if (schema.path("properties").isObject()) {
            for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
                strict((ObjectNode) p.getValue());
            }
        }
        if (schema.path("items").isObject()) {
            strict((ObjectNode) schema.path("items"));
        }
        if (schema.path("additionalProperties").isObject()) {
            strict((ObjectNode) schema.path("additionalProperties"));
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode sub : schema.path(combinator)) {
                removeExtensionsDeep((ObjectNode) sub);
            }
        }
        if (schema.path("not").isObject()) {
            removeExtensionsDeep((ObjectNode) schema.path("not"));
        }
    }

    /** Value validations keep their meaning; only OpenAPI-only keywords go. */
    private static void removeExtensionsDeep(ObjectNode schema) {
        removeExtensions(schema);
        for (JsonNode child : schema) {
            if (child.isObject()) {
                removeExtensionsDeep((ObjectNode) child);
            } else if (child.isArray()) {
                for (JsonNode item : child) {
                    if (item.isObject()) {
                        removeExtensionsDeep((ObjectNode) item);
                    }
                }
            }
        }
    }

    private static void removeExtensions(ObjectNode schema) {
        schema.remove("format");
        schema.remove("nullable");
        List<String> extensions = new ArrayList<>();
        schema.fieldNames()
                .forEachRemaining(
                        n -> {
                            if (n.startsWith("x-kubernetes-")) {
                                extensions.add(n);
                            }
                        });
        schema.remove(extensions);
    }

    /** Parses a CRD file's text (YAML or JSON). */
    static JsonNode parseCrd(String yaml) {
        try {
            return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(yaml);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a CRD document", e);
        }
    }

    static String toJson(JsonNode schema) {
        try {
            return JSON.writeValueAsString(schema);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
