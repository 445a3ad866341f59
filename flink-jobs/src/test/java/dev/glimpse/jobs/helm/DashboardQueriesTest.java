package dev.glimpse.jobs.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard queries Glimpse's metrics only by names and labels they have. The names and
 * labels come from docs/metrics.md, the reference that {@code EngineMetricsITCase} checks against a
 * running engine; the scrape adds {@code namespace}, {@code pod} and {@code container}.
 */
class DashboardQueriesTest {

    private static final Path ROOT =
            Path.of(System.getProperty("basedir", "."), "..").toAbsolutePath().normalize();
    private static final Set<String> SCRAPE_LABELS = Set.of("namespace", "pod", "container");

    /**
     * Labels Flink's Prometheus reporter puts on every operator metric (docs/metrics.md, section
     * 2).
     */
    private static final Set<String> FLINK_OPERATOR_LABELS =
            Set.of(
                    "job_id",
                    "job_name",
                    "task_name",
                    "task_id",
                    "operator_name",
                    "operator_id",
                    "subtask_index",
                    "tm_id",
                    "host",
                    "task_attempt_id",
                    "task_attempt_num");

    private static final Pattern METRIC =
            Pattern.compile(
                    "\\b(glimpse_engine_\\w+|flink_taskmanager_job_task_operator_glimpse_pipeline_\\w+)");
    private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("\\{([^}]*)}");
    private static final Pattern LEGEND = Pattern.compile("\\{\\{(\\w+)}}");

    @Test
    void everyGlimpseMetricTheDashboardQueriesIsDocumentedAndGroupedOnlyByItsLabels()
            throws IOException {
        Map<String, Set<String>> documented = documentedLabels();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (JsonNode target : targets()) {
            String expr = target.path("expr").asText();
            Matcher m = METRIC.matcher(expr);
            Set<String> allowed = new HashSet<>(SCRAPE_LABELS);
            boolean glimpse = false;
            while (m.find()) {
                glimpse = true;
                String name = m.group(1);
                String base = name.replaceAll("_(bucket|sum|count)$", "");
                Set<String> labels = documented.get(documented.containsKey(name) ? name : base);
                if (labels == null) {
                    problems.add(expr + ": " + name + " is not in docs/metrics.md");
                    continue;
                }
                allowed.addAll(labels);
                if (name.endsWith("_bucket")) {
                    allowed.add("le");
                }
            }
            if (!glimpse) {
                continue;
            }
            checked++;
            Set<String> used = new HashSet<>();
            Matcher by = BY.matcher(expr);
            while (by.find()) {
                for (String l : by.group(1).split(",")) {
                    used.add(l.trim());
                }
            }
            Matcher sel = MATCHER.matcher(expr);
            while (sel.find()) {
                for (String kv : sel.group(1).split(",")) {
                    used.add(kv.split("[=!~]")[0].trim());
                }
            }
            Matcher legend = LEGEND.matcher(target.path("legendFormat").asText());
            while (legend.find()) {
                used.add(legend.group(1));
            }
            used.remove("");
            for (String label : used) {
                if (!allowed.contains(label)) {
                    problems.add(expr + ": label " + label + " is not one of " + allowed);
                }
            }
        }
        assertThat(checked).isGreaterThan(15);
        assertThat(problems).isEmpty();
    }

    @Test
    void engineRejectionsHaveNoReasonLabelSoThePanelSplitsThemByTaskManager() throws IOException {
        assertThat(documentedLabels()).containsEntry("glimpse_engine_rejections_total", Set.of());
        assertThat(targets())
                .filteredOn(
                        t -> t.path("expr").asText().contains("glimpse_engine_rejections_total"))
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.path("expr").asText()).startsWith("sum by (pod) (");
                            assertThat(t.path("legendFormat").asText()).isEqualTo("{{pod}}");
                        });
    }

    /** Metric name → its labels, from the tables of docs/metrics.md. */
    static Map<String, Set<String>> documentedLabels() throws IOException {
        Map<String, Set<String>> out = new HashMap<>();
        Pattern engineLabel = Pattern.compile("`(\\w+)` =");
        Pattern keyGroup = Pattern.compile("addGroup\\(\"(\\w+)\", ");
        for (String line : Files.readAllLines(ROOT.resolve("docs/metrics.md"))) {
            String[] cells = line.split("\\|");
            if (cells.length < 4) {
                continue;
            }
            String name = cells[1].trim().replace("`", "");
            Set<String> labels = new HashSet<>();
            if (name.startsWith("glimpse_engine_")) {
                Matcher m = engineLabel.matcher(cells[3]);
                while (m.find()) {
                    labels.add(m.group(1));
                }
                out.put(name, labels);
            } else if (name.startsWith("flink_taskmanager_job_task_operator_glimpse_pipeline_")) {
                Matcher m = keyGroup.matcher(cells[2]);
                while (m.find()) {
                    labels.add(m.group(1));
                }
                labels.addAll(FLINK_OPERATOR_LABELS);
                if (cells[3].contains("summary")) {
                    labels.add("quantile");
                }
                out.put(name, labels);
            }
        }
        return out;
    }

    private static List<JsonNode> targets() throws IOException {
        JsonNode dashboard =
                new ObjectMapper()
                        .readTree(ROOT.resolve("helm/glimpse/dashboards/glimpse.json").toFile());
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(out::add));
        return out;
    }
}
