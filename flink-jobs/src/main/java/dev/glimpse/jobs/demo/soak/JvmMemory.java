package dev.glimpse.jobs.demo.soak;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * This JVM's memory as its management beans report it. Heap after GC: of all collectors, the one
 * whose last collection ended most recently ({@code com.sun.management.GarbageCollectorMXBean
 * #getLastGcInfo}), the sum of its usage-after-GC over the heap pools: after a young collection
 * that is the old generation plus survivors (what survived and what was promoted), after a mixed or
 * full one the live set. Sampled every few seconds, a steady service shows a saw-tooth around a
 * flat line; a leak shows a rising one.
 */
final class JvmMemory {

    /** One reading; {@code heapAfterGc} is NaN before the first collection. */
    record Reading(
            double heapAfterGc, long heapCommitted, long nonHeapCommitted, long bufferPools) {}

    private final Set<String> heapPools = new HashSet<>();

    JvmMemory() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
    }

    Reading read() {
        var memory = ManagementFactory.getMemoryMXBean();
        long buffers = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            buffers += Math.max(0, pool.getMemoryUsed());
        }
        return new Reading(
                heapAfterLastGc(),
                memory.getHeapMemoryUsage().getCommitted(),
                memory.getNonHeapMemoryUsage().getCommitted(),
                buffers);
    }

    private double heapAfterLastGc() {
        com.sun.management.GcInfo latest = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
                com.sun.management.GcInfo info = sun.getLastGcInfo();
                if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return Double.NaN;
        }
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : latest.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        return used;
    }
}
