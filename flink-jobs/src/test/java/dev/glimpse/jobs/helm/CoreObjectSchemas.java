package dev.glimpse.jobs.helm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict JSON Schemas (draft 2020-12) of Kubernetes core objects, derived from the fabric8
 * Kubernetes model classes.
 *
 * <p>No artifact reachable from this build ships the Kubernetes OpenAPI document itself; fabric8
 * generates its model classes from it, one class per OpenAPI definition, one field per property
 * ({@code @JsonProperty}, ordered by {@code @JsonPropertyOrder}), with the API group and version on
 * each top-level kind ({@code @Group}, {@code @Version}). This class reads that back: every object
 * lists its properties and allows no others ({@code additionalProperties: false}), maps and lists
 * keep their element types, {@code IntOrString} is an integer or a string, {@code Quantity} a
 * string or a number, and {@code apiVersion} and {@code kind} of the top-level kind are constants.
 * What the classes do not carry cannot be checked: enums (Kubernetes declares them as strings),
 * required fields and formats.
 *
 * <p>Not thread-safe; build once and read.
 */
final class CoreObjectSchemas {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> TIME_LIKE = Set.of("Time", "MicroTime", "Duration");

    private final Map<Class<?>, String> defined = new LinkedHashMap<>();
    private final ObjectNode defs = F.objectNode();

    /** The schema of the top-level kind {@code kind}, e.g. {@code ConfigMap.class}. */
    static ObjectNode of(Class<?> kind) {
        CoreObjectSchemas builder = new CoreObjectSchemas();
        ObjectNode root = builder.objectSchema(kind);
        ObjectNode props = (ObjectNode) root.path("properties");
        props.set("apiVersion", constant(apiVersion(kind)));
        props.set("kind", constant(kind.getSimpleName()));
        root.putArray("required").add("apiVersion").add("kind").add("metadata");
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", builder.defs);
        return root;
    }

    /** ObjectMeta on its own (self-contained), for the metadata of custom resources. */
    static ObjectNode objectMeta() {
        CoreObjectSchemas builder = new CoreObjectSchemas();
        ObjectNode root = builder.objectSchema(ObjectMeta.class);
        root.set("$defs", builder.defs);
        return root;
    }

    /** "group/version", or "version" for the core group. */
    static String apiVersion(Class<?> kind) {
        Version version = kind.getAnnotation(Version.class);
        Group group = kind.getAnnotation(Group.class);
        if (version == null || group == null) {
            throw new IllegalArgumentException(kind.getName() + " is not a top-level kind");
        }
        return group.value().isEmpty() ? version.value() : group.value() + "/" + version.value();
    }

    private ObjectNode objectSchema(Class<?> type) {
        ObjectNode schema = F.objectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        Map<String, Type> fields = properties(type);
        for (Map.Entry<String, Type> f : fields.entrySet()) {
            properties.set(f.getKey(), schemaOf(f.getValue()));
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    /** JSON property name to Java type, in the model's property order. */
    static Map<String, Type> properties(Class<?> type) {
        Map<String, Type> out = new LinkedHashMap<>();
        JsonPropertyOrder order = type.getAnnotation(JsonPropertyOrder.class);
        Map<String, Type> byName = new LinkedHashMap<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        || field.isAnnotationPresent(JsonIgnore.class)
                        || field.getName().equals("additionalProperties")) {
                    continue;
                }
                JsonProperty p = field.getAnnotation(JsonProperty.class);
                String name = p != null && !p.value().isEmpty() ? p.value() : field.getName();
                byName.putIfAbsent(name, field.getGenericType());
            }
        }
        if (order != null) {
            for (String name : order.value()) {
                Type t = byName.get(name);
                if (t == null) {
                    throw new IllegalStateException(
                            type.getName() + " orders property " + name + " but has no such field");
                }
                out.put(name, t);
            }
        }
        byName.forEach(out::putIfAbsent);
        return out;
    }

    private ObjectNode schemaOf(Type type) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                ObjectNode array = F.objectNode().put("type", "array");
                array.set("items", schemaOf(args[0]));
                return array;
            }
            if (Map.class.isAssignableFrom(raw)) {
                ObjectNode map = F.objectNode().put("type", "object");
                map.set("additionalProperties", schemaOf(args[1]));
                return map;
            }
            throw new IllegalArgumentException("unexpected generic type " + type);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return F.objectNode().put("type", "string");
        }
        if (c == Boolean.class || c == boolean.class) {
            return F.objectNode().put("type", "boolean");
        }
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class) {
            return F.objectNode().put("type", "integer");
        }
        if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
            return F.objectNode().put("type", "number");
        }
        if (c == IntOrString.class) {
            return types("integer", "string");
        }
        if (c == Quantity.class) {
            return types("string", "number");
        }
        if (TIME_LIKE.contains(c.getSimpleName())) {
            return F.objectNode().put("type", "string");
        }
        if (c == Object.class) {
            return F.objectNode();
        }
        return ref(c);
    }

    private ObjectNode ref(Class<?> c) {
        String name = defined.get(c);
        if (name == null) {
            name = c.getName().replace('.', '_').replace('$', '_');
            defined.put(c, name);
            // Registered before it is built, so recursive types end in a $ref.
            defs.set(name, objectSchema(c));
        }
        return F.objectNode().put("$ref", "#/$defs/" + name);
    }

    private static ObjectNode types(String... types) {
        ObjectNode schema = F.objectNode();
        var array = schema.putArray("type");
        for (String t : types) {
            array.add(t);
        }
        return schema;
    }

    private static ObjectNode constant(String value) {
        return F.objectNode().put("const", value);
    }
}
