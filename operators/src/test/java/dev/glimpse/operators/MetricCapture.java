package dev.glimpse.operators;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * A mock task environment whose metric registry records every metric an operator registers, under
 * the name Flink's Prometheus reporter derives from it: the logical scope and the metric name
 * joined by {@code _}, plus the user variables ({@code reason=too_old}). E.g. {@code
 * taskmanager_job_task_operator_glimpse_pipeline_reason_frames_skipped{reason=too_old}}.
 */
public final class MetricCapture {

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    private final TaskMetricGroup taskGroup;

    public MetricCapture() {
        TestingMetricRegistry registry =
                TestingMetricRegistry.builder()
                        .setNumberReporters(1)
                        .setDelimiter('.')
                        .setRegisterConsumer(
                                (metric, name, group) -> metrics.put(key(name, group), metric))
                        .build();
        TaskManagerMetricGroup tm =
                TaskManagerMetricGroup.createTaskManagerMetricGroup(
                        registry, "localhost", ResourceID.generate());
        taskGroup =
                tm.addJob(new JobID(), "test-job")
                        .addTask(ExecutionAttemptID.randomId(), "test-task");
    }

    private static String key(String name, AbstractMetricGroup<?> group) {
        String scope = group.getLogicalScope(s -> s, '_');
        Map<String, String> user = new TreeMap<>();
        group.getAllVariables()
                .forEach(
                        (k, v) -> {
                            // Flink's own variables (<host>, <job_id>, ...) are not ours
                            String bare = k.substring(1, k.length() - 1);
                            if (!FLINK_VARIABLES.contains(bare)) {
                                user.put(bare, v);
                            }
                        });
        StringBuilder sb = new StringBuilder(scope).append('_').append(name);
        if (!user.isEmpty()) {
            sb.append(user.toString().replace(", ", ","));
        }
        return sb.toString();
    }

    private static final java.util.Set<String> FLINK_VARIABLES =
            java.util.Set.of(
                    "host",
                    "tm_id",
                    "job_id",
                    "job_name",
                    "task_id",
                    "task_attempt_id",
                    "task_name",
                    "task_attempt_num",
                    "subtask_index",
                    "operator_id",
                    "operator_name");

    /** A mock environment reporting into this capture. */
    public MockEnvironment environment() {
        return new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
    }

    /** Every metric registered so far, by its Prometheus-style name. */
    public Map<String, Metric> all() {
        return new TreeMap<>(metrics);
    }

    /** The counter registered as {@code key}; fails when there is none. */
    public Counter counter(String key) {
        Metric m = metrics.get(key);
        if (!(m instanceof Counter c)) {
            throw new AssertionError("no counter " + key + "; registered: " + all().keySet());
        }
        return c;
    }

    /** The histogram registered as {@code key}; fails when there is none. */
    public Histogram histogram(String key) {
        Metric m = metrics.get(key);
        if (!(m instanceof Histogram h)) {
            throw new AssertionError("no histogram " + key + "; registered: " + all().keySet());
        }
        return h;
    }
}
