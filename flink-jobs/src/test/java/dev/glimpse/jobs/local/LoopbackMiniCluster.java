package dev.glimpse.jobs.local;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster of the integration tests: one TaskManager, every port on 127.0.0.1. */
public final class LoopbackMiniCluster {

    private LoopbackMiniCluster() {}

    /** A JUnit extension running one TaskManager with {@code slots} slots on loopback. */
    public static MiniClusterExtension withSlots(int slots) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(LoopbackClusterConfig.create())
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }
}
