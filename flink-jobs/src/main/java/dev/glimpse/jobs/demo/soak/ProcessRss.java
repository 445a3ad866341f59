package dev.glimpse.jobs.demo.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resident set size from Linux's {@code /proc/PID/status} ({@code VmRSS}). */
final class ProcessRss {

    private ProcessRss() {}

    /** The RSS of process {@code pid} in bytes; NaN if it is gone or /proc is not Linux's. */
    static double of(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "status"));
    }

    /** The summed RSS of {@code pids} in bytes; NaN if any cannot be read. */
    static double sum(List<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            sum += of(pid);
        }
        return pids.isEmpty() ? Double.NaN : sum;
    }

    /** The {@code VmRSS:} line of a status file in bytes, NaN if it has none or cannot be read. */
    static double read(Path status) {
        try {
            return parse(Files.readAllLines(status));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** {@code VmRSS: 123456 kB} in bytes; NaN without such a line. */
    static double parse(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).strip().split("\\s+");
                long kb = Long.parseLong(parts[0]);
                return kb * 1024.0;
            }
        }
        return Double.NaN;
    }
}
