package dev.glimpse.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The calls of Flink's REST API that {@code flink run} and the web UI's "Submit New Job" make, over
 * plain HTTP: upload the job jar, run it with an entry class and arguments (the JobManager runs its
 * {@code main} with a user-code class loader), and watch, stop with a savepoint or cancel the job.
 *
 * <p>Thread-safe (the JDK's HttpClient is). Errors name the call and the REST answer.
 */
public final class FlinkRestClient {

    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(3);

    private final String baseUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param baseUrl the REST endpoint, e.g. {@code http://127.0.0.1:8081/}
     */
    public FlinkRestClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    }

    /** The REST endpoint this client talks to (also the web UI). */
    public String baseUrl() {
        return baseUrl;
    }

    /** {@code POST /jars/upload}: returns the jar id the JobManager stored it under. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "glimpse-" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + "jars/upload"))
                        .timeout(CALL_TIMEOUT)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                HttpRequest.BodyPublishers.concat(
                                        HttpRequest.BodyPublishers.ofByteArray(head),
                                        HttpRequest.BodyPublishers.ofFile(jar),
                                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                        .build();
        JsonNode answer = send(request, "upload " + jar.getFileName());
        String stored = answer.path("filename").asText();
        return Path.of(stored).getFileName().toString();
    }

    /**
     * {@code POST /jars/:jarid/run}: runs the jar's {@code entryClass} with {@code args}; returns
     * the job id.
     *
     * @param savepointPath the savepoint to start from, or null
     * @param parallelism the job's default parallelism, or 0 for the jar's own setting
     */
    public String runJar(
            String jarId,
            String entryClass,
            List<String> args,
            int parallelism,
            String savepointPath)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.put("entryClass", entryClass);
        body.set("programArgsList", json.valueToTree(args));
        if (parallelism > 0) {
            body.put("parallelism", parallelism);
        }
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", false);
        }
        JsonNode answer = post("jars/" + jarId + "/run", body, "run " + entryClass);
        return answer.path("jobid").asText();
    }

    /** {@code GET /jobs/:jobid}: the job's details (state, vertices with their status). */
    public JsonNode job(String jobId) throws IOException, InterruptedException {
        return get("jobs/" + jobId);
    }

    /** The job's state (RUNNING, RESTARTING, FINISHED, ...). */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return job(jobId).path("state").asText();
    }

    /** Whether the job is RUNNING with every task RUNNING (its operators open). */
    public boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        JsonNode details = job(jobId);
        JsonNode vertices = details.path("vertices");
        if (!"RUNNING".equals(details.path("state").asText()) || vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /**
     * How often the job restarted after a failure: the entries of its exception history (one per
     * handled failure, recorded as its restart begins; concurrent failures of one restart are one
     * entry), less the last one if the job then failed for good.
     *
     * <p>Read from the execution graph rather than the {@code numRestarts} metric: the REST metric
     * fetcher starts a new fetch only when the last one finished, and a fetch that asks the metric
     * service of a TaskManager killed but not yet unregistered waits for {@code web.timeout} (10
     * minutes by default), so every metric can stay stale that long after a SIGKILL. Where the
     * history is truncated ({@code web.exception-history-size}) the metric, then current again,
     * gives the count.
     */
    public long numRestarts(String jobId) throws IOException, InterruptedException {
        JsonNode history = get("jobs/" + jobId + "/exceptions").path("exceptionHistory");
        long failures = history.path("entries").size();
        if (history.path("truncated").asBoolean(false)) {
            failures = Math.max(failures, numRestartsMetric(jobId));
        }
        if (failures > 0 && "FAILED".equals(jobState(jobId))) {
            failures--;
        }
        return failures;
    }

    private long numRestartsMetric(String jobId) throws IOException, InterruptedException {
        for (JsonNode m : get("jobs/" + jobId + "/metrics?get=numRestarts")) {
            if ("numRestarts".equals(m.path("id").asText())) {
                return Long.parseLong(m.path("value").asText("0"));
            }
        }
        return 0;
    }

    /** Completed checkpoints of the job. */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /**
     * The job's checkpoints by status ({@code /jobs/:id/checkpoints}, counts) and the failure
     * message of the latest failed one (empty when none failed).
     */
    public record CheckpointCounts(
            long completed, long failed, long inProgress, String latestFailure) {

        /** The checkpoints since {@code before} (the same job, earlier). */
        public CheckpointCounts since(CheckpointCounts before) {
            return new CheckpointCounts(
                    completed - before.completed,
                    failed - before.failed,
                    inProgress,
                    failed > before.failed ? latestFailure : "");
        }
    }

    /** The job's checkpoint counts. */
    public CheckpointCounts checkpointCounts(String jobId)
            throws IOException, InterruptedException {
        JsonNode stats = get("jobs/" + jobId + "/checkpoints");
        JsonNode counts = stats.path("counts");
        return new CheckpointCounts(
                counts.path("completed").asLong(),
                counts.path("failed").asLong(),
                counts.path("in_progress").asLong(),
                stats.path("latest").path("failed").path("failure_message").asText(""));
    }

    /** Registered TaskManagers. */
    public int taskManagerCount() throws IOException, InterruptedException {
        return get("taskmanagers").path("taskmanagers").size();
    }

    /**
     * {@code POST /jobs/:jobid/stop} and waits for the savepoint: returns its location. The job is
     * FINISHED afterwards.
     */
    public String stopWithSavepoint(String jobId, Path targetDirectory, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.put("targetDirectory", targetDirectory.toUri().toString());
        body.put("drain", false);
        String trigger =
                post("jobs/" + jobId + "/stop", body, "stop-with-savepoint " + jobId)
                        .path("request-id")
                        .asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IOException(
                            "Savepoint of job "
                                    + jobId
                                    + " failed: "
                                    + operation.path("failure-cause").path("stack-trace").asText());
                }
                return operation.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IOException("Savepoint of job " + jobId + " not completed within " + timeout);
    }

    /** {@code PATCH /jobs/:jobid?mode=cancel}. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + "jobs/" + jobId + "?mode=cancel"))
                        .timeout(CALL_TIMEOUT)
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build();
        send(request, "cancel " + jobId);
    }

    /** {@code GET path}; a REST error becomes an IOException naming the path and the answer. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(CALL_TIMEOUT).build(),
                "GET " + path);
    }

    private JsonNode post(String path, JsonNode body, String what)
            throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(CALL_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                        .build(),
                what);
    }

    private JsonNode send(HttpRequest request, String what)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "Flink REST "
                            + what
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + abbreviate(response.body()));
        }
        return response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
    }

    private static String abbreviate(String body) {
        return body.length() <= 4000 ? body : body.substring(0, 4000) + " ...";
    }
}
