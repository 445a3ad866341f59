package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;

/** What the pipeline tests read from Flink's REST API. */
final class PipelineRest {

    private PipelineRest() {}

    /** When the job last entered RESTARTING, from the REST API's job details (0 = never). */
    static long restartedAt(ClusterClient<?> cluster, JobClient job) throws Exception {
        HttpResponse<String> details =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        cluster.getWebInterfaceURL()
                                                                + "/jobs/"
                                                                + job.getJobID()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(details.statusCode()).as(details.body()).isEqualTo(200);
        Matcher m = Pattern.compile("\"RESTARTING\"\\s*:\\s*(\\d+)").matcher(details.body());
        assertThat(m.find()).as("RESTARTING in %s", details.body()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
