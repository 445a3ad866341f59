package dev.glimpse.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Restart counting against canned answers of Flink's REST API (a JDK HTTP server). */
class FlinkRestClientTest {

    private static final String JOB = "2e7b7306fb269baf868c5db30668eacf";

    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private HttpServer server;
    private FlinkRestClient rest;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    String path = exchange.getRequestURI().toString().substring(1);
                    String body = answers.get(path);
                    byte[] bytes =
                            (body == null ? "{\"errors\":[\"Not found\"]}" : body)
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                    exchange.getResponseBody().write(bytes);
                    exchange.close();
                });
        server.start();
        rest = new FlinkRestClient("http://127.0.0.1:" + server.getAddress().getPort());
        state("RUNNING");
        metric(7);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void restartsAreTheExceptionHistoryEntriesNotTheMetricThatCanLagBehindAKilledTaskManager()
            throws Exception {
        history(3, false);
        metric(1);

        assertThat(rest.numRestarts(JOB)).isEqualTo(3);
    }

    @Test
    void aJobThatFailedForGoodDoesNotCountItsLastFailureAsARestart() throws Exception {
        history(4, false);
        state("FAILED");

        assertThat(rest.numRestarts(JOB)).isEqualTo(3);
    }

    @Test
    void aTruncatedHistoryFallsBackToTheMetricWhenItCountsMore() throws Exception {
        history(16, true);
        metric(40);
        assertThat(rest.numRestarts(JOB)).isEqualTo(40);

        metric(2);
        assertThat(rest.numRestarts(JOB)).isEqualTo(16);
    }

    @Test
    void aJobThatNeverFailedHasNoRestarts() throws Exception {
        history(0, false);

        assertThat(rest.numRestarts(JOB)).isZero();
    }

    private void history(int entries, boolean truncated) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < entries; i++) {
            list.append(i == 0 ? "" : ",")
                    .append("{\"exceptionName\":\"TaskManager lost\",\"timestamp\":")
                    .append(i)
                    .append('}');
        }
        answers.put(
                "jobs/" + JOB + "/exceptions",
                "{\"exceptionHistory\":{\"entries\":["
                        + list
                        + "],\"truncated\":"
                        + truncated
                        + "}}");
    }

    private void state(String state) {
        answers.put("jobs/" + JOB, "{\"jid\":\"" + JOB + "\",\"state\":\"" + state + "\"}");
    }

    private void metric(long restarts) {
        answers.put(
                "jobs/" + JOB + "/metrics?get=numRestarts",
                "[{\"id\":\"numRestarts\",\"value\":\"" + restarts + "\"}]");
    }
}
