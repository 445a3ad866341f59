package dev.glimpse.jobs.demo.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * How much of this JVM's heap is resident: the {@code Rss} of the {@code /proc/self/smaps} mappings
 * inside the heap's address range, which the {@code GC.heap_info} diagnostic command prints ({@code
 * [0x..., 0x...)}). The committed heap is not all resident (pages never touched are not), so
 * subtracting it from RSS would undercount native memory, early in a run the most.
 */
final class ResidentHeap {

    private static final Pattern RANGE =
            Pattern.compile("\\[(0x[0-9a-f]+(?:,\\s*0x[0-9a-f]+)+)[)\\]]");
    private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");

    private final long start;
    private final long end;

    private ResidentHeap(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** This JVM's heap range, or null when the diagnostic command does not print one. */
    static ResidentHeap ofThisJvm() {
        try {
            Object info =
                    ManagementFactory.getPlatformMBeanServer()
                            .invoke(
                                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                    "gcHeapInfo",
                                    new Object[] {null},
                                    new String[] {String[].class.getName()});
            long[] range = range(String.valueOf(info));
            return range == null ? null : new ResidentHeap(range[0], range[1]);
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The heap's range in a heap_info text: from the lowest to the highest address of its bracketed
     * address lists (G1 prints one {@code [start, end)}; Parallel and Serial one per generation,
     * {@code [start, top, end)}); null without one.
     */
    static long[] range(String heapInfo) {
        Matcher m = RANGE.matcher(heapInfo);
        long low = -1;
        long high = -1;
        while (m.find()) {
            for (String address : m.group(1).split(",")) {
                long a = Long.parseUnsignedLong(address.strip().substring(2), 16);
                low = low < 0 ? a : Math.min(low, a);
                high = Math.max(high, a);
            }
        }
        return low < 0 ? null : new long[] {low, high};
    }

    /** Resident bytes of the heap now; NaN if /proc/self/smaps cannot be read. */
    double residentBytes() {
        try (BufferedReader smaps = Files.newBufferedReader(Path.of("/proc/self/smaps"))) {
            return residentBytes(smaps, start, end);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The summed {@code Rss:} of the mappings of an smaps text that lie in [start, end). */
    static double residentBytes(BufferedReader smaps, long start, long end) throws IOException {
        long kb = 0;
        boolean inside = false;
        for (String line = smaps.readLine(); line != null; line = smaps.readLine()) {
            Matcher m = MAPPING.matcher(line);
            if (m.find()) {
                long from = Long.parseUnsignedLong(m.group(1), 16);
                long to = Long.parseUnsignedLong(m.group(2), 16);
                inside = from >= start && to <= end;
            } else if (inside && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
            }
        }
        return kb * 1024.0;
    }
}
