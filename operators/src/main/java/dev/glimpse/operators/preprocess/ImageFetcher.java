package dev.glimpse.operators.preprocess;

import dev.glimpse.schemas.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.flink.core.fs.FileSystem;

/**
 * Reads the image an allowed URI names, at most {@code maxBytes} of it (streamed: a larger object
 * is abandoned as soon as it passes the cap), retrying transient errors ({@link
 * FetchErrors#isTransient}) up to {@code maxAttempts} reads with exponential backoff ({@code
 * backoff}, twice that, ...). Blocking: runs on a fetch thread of {@link FetchPool}, which enforces
 * the deadline; an interrupt ends the fetch.
 *
 * <p>{@code file:} URIs are read from their real path after {@link ImageUriPolicy#resolveFile}
 * confirmed it lies inside the allowed root; other schemes through Flink's {@link FileSystem}
 * (whatever plugins the cluster has, with the TaskManager's credentials).
 */
public final class ImageFetcher {

    /** Opens one read of an allowed URI. */
    @FunctionalInterface
    public interface Opener {
        InputStream open(ImageUriPolicy.AllowedUri uri) throws IOException;
    }

    /** Local files by real path, everything else through Flink's file systems. */
    public static final Opener FILE_SYSTEMS = ImageFetcher::openWithFileSystems;

    private final long maxBytes;
    private final int maxAttempts;
    private final Duration backoff;
    private final Opener opener;

    public ImageFetcher(long maxBytes, int maxAttempts, Duration backoff, Opener opener) {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be in [1, 2^31-9], was " + maxBytes);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must be >= 0, was " + backoff);
        }
        this.maxBytes = maxBytes;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.opener = opener;
    }

    /**
     * The bytes at {@code allowed}.
     *
     * @param uri the URI as the event gave it (for messages)
     * @param deadlineNanos {@link System#nanoTime} after which no further attempt starts
     * @param opened told of each stream as it opens, so that whoever abandons the fetch can close
     *     it
     * @throws FetchException with FETCH_FAILED, PAYLOAD_TOO_LARGE or URI_NOT_ALLOWED
     * @throws InterruptedException when the fetch was abandoned
     */
    public byte[] fetch(
            String eventId,
            String uri,
            ImageUriPolicy.AllowedUri allowed,
            long deadlineNanos,
            Consumer<Closeable> opened)
            throws FetchException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return readOnce(eventId, uri, allowed, opened);
            } catch (FetchErrors.OutsideRoot e) {
                throw notAllowed(eventId, uri);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("fetch of " + uri + " abandoned");
                }
                if (!FetchErrors.isTransient(e)) {
                    throw failed(eventId, uri, FetchErrors.describe(e));
                }
                long pauseNanos = backoff.toNanos() << Math.min(attempt - 1, 20);
                if (attempt >= maxAttempts || System.nanoTime() + pauseNanos >= deadlineNanos) {
                    throw failed(
                            eventId,
                            uri,
                            FetchErrors.describe(e)
                                    + " (transient; "
                                    + attempt
                                    + (attempt == 1 ? " attempt)" : " attempts)"));
                }
                Thread.sleep(pauseNanos / 1_000_000, (int) (pauseNanos % 1_000_000));
            }
        }
    }

    private byte[] readOnce(
            String eventId,
            String uri,
            ImageUriPolicy.AllowedUri allowed,
            Consumer<Closeable> opened)
            throws IOException, FetchException {
        try (InputStream in = opener.open(allowed)) {
            opened.accept(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (Thread.currentThread().isInterrupted()) {
                    // a trickling stream that ignores interrupts still stops here
                    throw new InterruptedIOException("fetch of " + uri + " abandoned");
                }
                total += n;
                if (total > maxBytes) {
                    throw new FetchException(
                            ReasonCode.PAYLOAD_TOO_LARGE,
                            String.format(
                                    "event %s: image at %s exceeds the %d-byte cap",
                                    eventId, uri, maxBytes));
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static InputStream openWithFileSystems(ImageUriPolicy.AllowedUri allowed)
            throws IOException {
        if (allowed.isFile()) {
            Optional<Path> real = ImageUriPolicy.resolveFile(allowed);
            if (real.isEmpty()) {
                throw new FetchErrors.OutsideRoot();
            }
            if (Files.isDirectory(real.get())) {
                throw new FetchErrors.NotReadable("a directory, not an image file");
            }
            // A FileChannel stream: an interrupt closes it, so an abandoned read ends.
            return Files.newInputStream(real.get());
        }
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(allowed.uri());
        return FileSystem.get(allowed.uri()).open(path);
    }

    /**
     * The URI_NOT_ALLOWED rejection of {@code uri}: one message whatever lies (or does not lie) at
     * that URI, and nothing about the allowed roots.
     */
    public static FetchException notAllowed(String eventId, String uri) {
        return new FetchException(
                ReasonCode.URI_NOT_ALLOWED,
                "event "
                        + eventId
                        + ": image URI '"
                        + uri
                        + "' is not under an allowed prefix (images.allowedUris); send the image"
                        + " inline or under an allowed prefix");
    }

    private static FetchException failed(String eventId, String uri, String what) {
        return new FetchException(
                ReasonCode.FETCH_FAILED,
                "event " + eventId + ": cannot read image at " + uri + ": " + what);
    }

    /** The image could not be obtained. */
    public static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;
        private final ReasonCode reason;

        public FetchException(ReasonCode reason, String message) {
            super(message);
            this.reason = reason;
        }

        public ReasonCode reason() {
            return reason;
        }
    }
}
