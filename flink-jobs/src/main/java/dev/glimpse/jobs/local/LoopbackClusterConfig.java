package dev.glimpse.jobs.local;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * Flink configuration for a local cluster (MiniCluster, the demo) that binds every port to
 * 127.0.0.1 (docs/toolchain.md G14): nothing listens on other interfaces, and ports are chosen
 * freely. Buffer debloating is on, as the README recommends for clusters.
 */
public final class LoopbackClusterConfig {

    /** The loopback address every component binds and advertises. */
    public static final String LOOPBACK = "127.0.0.1";

    private LoopbackClusterConfig() {}

    /** A configuration whose REST endpoint (web UI) is on a free port. */
    public static Configuration create() {
        return create(0);
    }

    /** A configuration whose REST endpoint (web UI) is on {@code restPort} (0 = any free port). */
    public static Configuration create(int restPort) {
        if (restPort < 0 || restPort > 65535) {
            throw new IllegalArgumentException("restPort must be 0..65535, was " + restPort);
        }
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.BIND_PORT, Integer.toString(restPort));
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        // Buffer debloating is a TaskManager setting (it cannot be set per job): it shrinks the
        // in-flight network buffers to about 1 s of throughput, so a backpressured pipeline
        // holds fewer queued images and unaligned checkpoints store less (README, Overload).
        conf.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
        return conf;
    }
}
