package dev.glimpse.jobs.pipeline;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples the CPU time of every Java thread (grouped by name, digits masked) and of the whole
 * process every 100 ms on a daemon thread, so that CPU can be attributed to a window known only
 * afterwards (the pipeline's first to last result built). The process figure includes native
 * threads the thread figures cannot see, such as ONNX Runtime's intra-op pool and the JVM's own
 * (the collector's time in collections and the JIT's compile time are shown). A thread that ends
 * between two samples loses the CPU it used since the earlier one. For the benchmark only.
 */
final class CpuRecorder implements AutoCloseable {
    private record Sample(
            long epochMillis,
            long processNanos,
            long gcMillis,
            long jitMillis,
            Map<String, Long> threadNanos) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean stopped;

    CpuRecorder() {
        sample();
        sampler = new Thread(this::run, "cpu-recorder");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private void sample() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                String group = info.getThreadName().replaceAll("[0-9]+", "N");
                byGroup.merge(group.length() > 40 ? group.substring(0, 40) : group, cpu, Long::sum);
            }
        }
        long process =
                ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime();
        long gc = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, bean.getCollectionTime());
        }
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        synchronized (samples) {
            samples.add(new Sample(System.currentTimeMillis(), process, gc, jit, byGroup));
        }
    }

    /**
     * "W s: process C s (U cores), group s, ..." between the samples nearest to two
     * epoch-millisecond times, the {@code top} busiest thread groups.
     */
    String between(double fromMillis, double toMillis, int top) {
        Sample a;
        Sample b;
        synchronized (samples) {
            a = nearest(fromMillis);
            b = nearest(toMillis);
        }
        double wall = (b.epochMillis() - a.epochMillis()) / 1e3;
        double process = (b.processNanos() - a.processNanos()) / 1e9;
        Map<String, Double> used = new HashMap<>();
        b.threadNanos()
                .forEach(
                        (g, n) -> {
                            double s = (n - a.threadNanos().getOrDefault(g, 0L)) / 1e9;
                            if (s > 0) {
                                used.put(g, s);
                            }
                        });
        StringBuilder out =
                new StringBuilder(
                        String.format(
                                "%.1f s: process %.1f s (%.2f cores), GC %.2f s, JIT %.2f s",
                                wall,
                                process,
                                wall > 0 ? process / wall : 0,
                                (b.gcMillis() - a.gcMillis()) / 1e3,
                                (b.jitMillis() - a.jitMillis()) / 1e3));
        used.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.append(String.format("; %s %.2f", e.getKey(), e.getValue())));
        return out.toString();
    }

    private Sample nearest(double epochMillis) {
        Sample best = samples.get(0);
        for (Sample s : samples) {
            if (Math.abs(s.epochMillis() - epochMillis)
                    < Math.abs(best.epochMillis() - epochMillis)) {
                best = s;
            }
        }
        return best;
    }

    @Override
    public void close() {
        stopped = true;
        sampler.interrupt();
    }
}
