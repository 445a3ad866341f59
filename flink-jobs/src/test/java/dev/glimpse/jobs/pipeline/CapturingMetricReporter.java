package dev.glimpse.jobs.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for tests: keeps every metric a MiniCluster registers (identifier and
 * variables), so a test can render all names, variables and current values and look for what must
 * not be there. Registered with {@link #configure(Configuration)}; found by Flink through {@code
 * META-INF/services}.
 */
public final class CapturingMetricReporter implements MetricReporter {

    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();
    private static final Map<String, String> VARIABLES = new ConcurrentHashMap<>();

    /** Adds this reporter to a cluster configuration. */
    static Configuration configure(Configuration conf) {
        conf.setString("metrics.reporter.capture.factory.class", Factory.class.getName());
        return conf;
    }

    /** Every metric seen so far as {@code identifier variables = value}, one per entry. */
    static List<String> render() {
        List<String> lines = new ArrayList<>();
        METRICS.forEach(
                (id, metric) -> lines.add(id + " " + VARIABLES.get(id) + " = " + value(metric)));
        return lines;
    }

    /** Forgets every metric (and the clients their gauges hold on to). */
    static void clear() {
        METRICS.clear();
        VARIABLES.clear();
    }

    private static String value(Metric metric) {
        try {
            if (metric instanceof Gauge<?> g) {
                return String.valueOf(g.getValue());
            } else if (metric instanceof Counter c) {
                return Long.toString(c.getCount());
            } else if (metric instanceof Meter m) {
                return Double.toString(m.getRate());
            }
            return metric.getClass().getSimpleName();
        } catch (RuntimeException e) {
            // a gauge of a closed Kafka client: its name and variables were still checked
            return "(" + e.getClass().getSimpleName() + ")";
        }
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String id = group.getMetricIdentifier(name);
        METRICS.put(id, metric);
        VARIABLES.put(id, group.getAllVariables().toString());
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // kept: the test also checks metrics of tasks that were cancelled by the failover
    }

    /** Creates the reporter. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CapturingMetricReporter();
        }
    }
}
