package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.image.ImageRejectedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a list of image requests through one engine and writes one output line per request, in the
 * order added, whatever happens to each: a file that is not a regular file, too large, unreadable
 * or undecodable, a request the engine refuses (at submit or later), or no answer within the
 * timeout all become error lines, and the others still run.
 *
 * <p>All requests are prepared first (file read and preprocessed), then submitted together so the
 * engine batches them. Each request carries the timeout as its engine deadline, and the wait for
 * its answer is bounded by the same timeout (plus a short grace for the engine to report the
 * deadline itself), so no input can hold the run longer than that. Single-threaded use.
 */
final class AnalysisBatch {

    /** Time the engine gets past a deadline to fail the request itself (a typed TIMEOUT). */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final EngineSession session;
    private final Duration timeout;
    private final List<Item> items = new ArrayList<>();

    /** One request in output order: its line's leading fields and its state. */
    private static final class Item {
        final ObjectNode head;
        RequestSpec spec;
        EngineImage image;
        EngineRequest request;
        CompletableFuture<EngineResult> future;
        long submittedAt;
        ObjectNode error;

        Item(ObjectNode head) {
            this.head = head;
        }
    }

    AnalysisBatch(EngineSession session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
    }

    /**
     * Adds an input that already failed (e.g. a bad line of a requests file).
     *
     * @param head the leading fields of its line, e.g. {@code {"line":3}}
     */
    void addError(ObjectNode head, String reason, String message) {
        Item item = new Item(head);
        item.error = JsonLines.object().put("reason", reason).put("message", message);
        items.add(item);
    }

    /** Adds the image {@code file} with {@code spec}: read and preprocessed now. */
    void add(ObjectNode head, String file, RequestSpec spec) {
        Item item = new Item(head);
        items.add(item);
        item.spec = spec;
        byte[] bytes;
        try {
            bytes = InputFiles.read(Path.of(file), session.maxFileBytes());
        } catch (InputFiles.Rejected e) {
            item.error =
                    JsonLines.object().put("reason", e.reason()).put("message", e.getMessage());
            return;
        } catch (RuntimeException e) { // e.g. InvalidPathException
            item.error = EngineErrors.describe(e);
            return;
        }
        try {
            item.image = session.preprocessor().prepare(bytes, file, spec.task());
        } catch (ImageRejectedException e) {
            item.error =
                    JsonLines.object()
                            .put("reason", e.reason().name())
                            .put("message", e.getMessage());
            return;
        } catch (RuntimeException e) {
            item.error = EngineErrors.describe(e);
            return;
        }
        EngineRequest.Builder b =
                EngineRequest.builder(items.size() + ":" + file, item.image, spec.task())
                        .timeout(timeout);
        spec.prompt().ifPresent(b::question);
        if (spec.maxNewTokens() > 0) {
            b.maxNewTokens(spec.maxNewTokens());
        }
        if (!spec.categories().isEmpty()) {
            b.categories(spec.categories());
        }
        try {
            item.request = b.build();
        } catch (IllegalArgumentException e) {
            item.error = EngineErrors.describe(e);
        }
    }

    /**
     * Submits every prepared request at once, then writes each item's line in order as its answer
     * arrives.
     *
     * @return the number of error lines written
     */
    int run(JsonLines out) {
        for (Item item : items) {
            if (item.request == null) {
                continue;
            }
            item.submittedAt = System.nanoTime();
            try {
                item.future = session.engine().submit(item.request);
            } catch (RuntimeException e) { // a refusal thrown rather than returned
                item.error = EngineErrors.describe(e);
            }
        }
        int queryNum = session.model().manifest().vision().queryNum();
        int failed = 0;
        for (Item item : items) {
            ObjectNode line = item.head.deepCopy();
            EngineResult result = item.error == null ? await(item) : null;
            if (result != null) {
                ResultLines.result(line, item.spec, item.image, result, queryNum);
            } else {
                ResultLines.error(line, item.error);
                failed++;
            }
            out.write(line);
        }
        return failed;
    }

    /** The answer, or null with {@code item.error} set. */
    private EngineResult await(Item item) {
        long waitNanos = item.submittedAt + timeout.toNanos() + GRACE_NANOS - System.nanoTime();
        try {
            return item.future.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            item.error = EngineErrors.describe(e);
        } catch (TimeoutException e) {
            item.future.cancel(false);
            item.error =
                    JsonLines.object()
                            .put("reason", "TIMEOUT")
                            .put("message", "no answer within the timeout of " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            item.error =
                    JsonLines.object()
                            .put("reason", "INTERRUPTED")
                            .put("message", "interrupted while waiting");
        } catch (RuntimeException e) { // CancellationException
            item.error = EngineErrors.describe(e);
        }
        return null;
    }
}
