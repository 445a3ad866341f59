package dev.glimpse.serving.engine.kv;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct buffers freed when their owner says so rather than when the collector gets round to it:
 * the collector sees a few bytes of heap per buffer and may keep gigabytes of native memory alive.
 * Frees through {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, as Netty and
 * Lucene do); where that is unavailable, {@link #free} does nothing and the collector frees.
 */
public final class DirectBuffers {
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private DirectBuffers() {}

    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(
                            unsafeClass,
                            "invokeCleaner",
                            MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A zeroed direct buffer of {@code bytes} in native order (as ONNX Runtime pinning needs). */
    public static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Frees {@code buffer}'s native memory now. The caller guarantees that nothing reads or writes
     * it (or any view of it) afterwards: that would read freed memory. Only buffers from {@link
     * #allocate} (not slices or views) may be freed.
     */
    public static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (Throwable e) {
            throw new IllegalStateException("freeing a direct buffer failed", e);
        }
    }

    /** Whether {@link #free} frees at once (else the collector does). */
    public static boolean freesExplicitly() {
        return INVOKE_CLEANER != null;
    }
}
