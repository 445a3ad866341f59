package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.duration;
import static dev.glimpse.jobs.config.GlimpseOption.integer;

import dev.glimpse.operators.preprocess.ImageFetchSettings;
import dev.glimpse.operators.preprocess.ImageUriPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code images.*} options: which image URIs an event may name (none by default: inline images
 * only), and how the fetch stage reads them (deadline, retries of transient errors, threads).
 */
public final class ImageOptions {

    private ImageOptions() {}

    private static final ImageFetchSettings DEFAULTS = ImageFetchSettings.DEFAULTS;

    public static final GlimpseOption<ImageUriPolicy> ALLOWED_URIS =
            GlimpseOption.of(
                    "images.allowedUris",
                    "",
                    "Comma-separated scheme + prefix list of image URIs events may name"
                            + " (file:///data/images/, s3://bucket/frames/); empty = inline images"
                            + " only (URI_NOT_ALLOWED).",
                    ImageOptions::uriPolicy);

    public static final GlimpseOption<Duration> FETCH_TIMEOUT =
            duration(
                    "images.fetch.timeout",
                    "10 s",
                    "Deadline of one event's URI fetch, retries included (FETCH_TIMEOUT).");

    public static final GlimpseOption<Integer> FETCH_MAX_ATTEMPTS =
            integer(
                    "images.fetch.maxAttempts",
                    DEFAULTS.maxAttempts(),
                    1,
                    10,
                    "Reads of a URI at most; only transient errors are retried, 1..10.");

    public static final GlimpseOption<Duration> FETCH_BACKOFF =
            duration(
                    "images.fetch.backoff",
                    "200 ms",
                    "Pause before the second read of a URI, doubled before each further one.");

    public static final GlimpseOption<Integer> FETCH_THREADS =
            integer(
                    "images.fetch.threads",
                    DEFAULTS.threads(),
                    1,
                    256,
                    "Fetch threads per subtask; a hung read holds one until it returns, 1..256.");

    /** The fetch settings in {@code values}. */
    static ImageFetchSettings read(OptionValues values) {
        return new ImageFetchSettings(
                values.get(ALLOWED_URIS),
                values.get(FETCH_TIMEOUT),
                values.get(FETCH_MAX_ATTEMPTS),
                values.get(FETCH_BACKOFF),
                values.get(FETCH_THREADS));
    }

    /** The allow-list of image URI prefixes; errors name the key and the bad prefix. */
    private static ImageUriPolicy uriPolicy(String key, String value) {
        List<String> prefixes =
                Arrays.stream(value.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        try {
            return ImageUriPolicy.allowing(prefixes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }
}
