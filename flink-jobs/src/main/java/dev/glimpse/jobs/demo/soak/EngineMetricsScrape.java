package dev.glimpse.jobs.demo.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads one gauge from the engine's Prometheus endpoint ({@code engine.metrics.port},
 * docs/metrics.md) in the text exposition format. Thread-safe.
 */
final class EngineMetricsScrape {

    static final String KV_NATIVE_BYTES = "glimpse_engine_kv_native_bytes";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    /**
     * @param endpoint e.g. {@code http://127.0.0.1:9250/metrics}
     */
    EngineMetricsScrape(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** The value of {@code name} now; NaN when the endpoint does not answer or lacks it. */
    double read(String name) {
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(endpoint)
                                    .timeout(Duration.ofSeconds(10))
                                    .header("Accept", "text/plain; version=0.0.4")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? valueOf(r.body(), name) : Double.NaN;
        } catch (java.io.IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /**
     * The sum of the samples named exactly {@code name} (any labels) in a text exposition; NaN if
     * there is none.
     */
    static double valueOf(String exposition, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (rest.startsWith("{")) {
                rest = rest.substring(rest.indexOf('}') + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // another metric whose name starts with this one
            }
            sum += Double.parseDouble(rest.strip().split("\\s+")[0]);
            found = true;
        }
        return found ? sum : Double.NaN;
    }
}
