package dev.glimpse.jobs.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every option of a Glimpse job: the {@code public static final} {@link GlimpseOption} constants of
 * the option classes below, in the order of the README's configuration reference. Adding a setting
 * is one constant in its area's class (read in that class's {@code read}) plus its README row,
 * which {@code ConfigurationReferenceTest} checks; a new area adds its class here.
 */
public final class GlimpseOptions {

    /** The option classes, in the order of the configuration reference. */
    static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    KafkaOptions.class,
                    EngineOptions.class,
                    TaskOptions.class,
                    FrameGateOptions.class,
                    DecodeLimitOptions.class,
                    ImageOptions.class,
                    PipelineOptions.class);

    /** Every option; keys and deprecated keys are unique across all of them. */
    public static final List<GlimpseOption<?>> ALL = collect();

    private GlimpseOptions() {}

    private static List<GlimpseOption<?>> collect() {
        List<GlimpseOption<?>> all = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (f.getType() != GlimpseOption.class
                        || !Modifier.isStatic(m)
                        || !Modifier.isPublic(m)) {
                    continue;
                }
                GlimpseOption<?> option;
                try {
                    option = (GlimpseOption<?>) f.get(null);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                List<String> names = new ArrayList<>(option.deprecatedKeys());
                names.add(option.key());
                for (String name : names) {
                    if (!keys.add(name)) {
                        throw new IllegalStateException(
                                "Configuration key " + name + " is declared twice");
                    }
                }
                all.add(option);
            }
        }
        return List.copyOf(all);
    }
}
