package dev.glimpse.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.operators.preprocess.ImageFetcher.FetchException;
import dev.glimpse.operators.preprocess.ImageUriPolicy.AllowedUri;
import dev.glimpse.schemas.ReasonCode;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFetcherTest {

    private static final String URI = "s3://bucket/frames/a.png";
    private static final AllowedUri ALLOWED =
            ImageUriPolicy.allowing(List.of("s3://bucket/frames/")).check(URI).orElseThrow();
    private static final long FAR = Long.MAX_VALUE / 2;

    /** Fails with the given errors in turn, then serves {@code bytes}; counts its opens. */
    private static final class FlakyStore implements ImageFetcher.Opener {
        final List<IOException> errors;
        final byte[] bytes;
        int opens;

        FlakyStore(byte[] bytes, IOException... errors) {
            this.bytes = bytes;
            this.errors = new ArrayList<>(List.of(errors));
        }

        @Override
        public InputStream open(AllowedUri uri) throws IOException {
            opens++;
            if (!errors.isEmpty()) {
                throw errors.remove(0);
            }
            return new ByteArrayInputStream(bytes);
        }
    }

    private static ImageFetcher fetcher(ImageFetcher.Opener opener, int maxAttempts) {
        return new ImageFetcher(1000, maxAttempts, Duration.ofMillis(1), opener);
    }

    private static byte[] fetch(ImageFetcher f) throws Exception {
        return f.fetch("e1", URI, ALLOWED, System.nanoTime() + FAR, in -> {});
    }

    @Test
    void missingDeniedUnservedAndEscapingReadsArePermanent() {
        assertThat(FetchErrors.isTransient(new FileNotFoundException("x"))).isFalse();
        assertThat(FetchErrors.isTransient(new NoSuchFileException("x"))).isFalse();
        assertThat(FetchErrors.isTransient(new AccessDeniedException("x"))).isFalse();
        assertThat(FetchErrors.isTransient(new UnsupportedFileSystemSchemeException("x")))
                .isFalse();
        assertThat(FetchErrors.isTransient(new FetchErrors.NotReadable("a directory"))).isFalse();
        assertThat(FetchErrors.isTransient(new FetchErrors.OutsideRoot())).isFalse();
        assertThat(FetchErrors.isTransient(new AccessControlException())).isFalse();
    }

    @Test
    void otherReadErrorsAreTransient() {
        assertThat(FetchErrors.isTransient(new IOException("connection reset"))).isTrue();
        assertThat(FetchErrors.isTransient(new SocketTimeoutException("read timed out"))).isTrue();
        assertThat(FetchErrors.isTransient(new EOFException("premature end"))).isTrue();
        assertThat(FetchErrors.isTransient(new java.nio.file.FileSystemException("stale handle")))
                .isTrue();
    }

    /** Stands for Hadoop's org.apache.hadoop.security.AccessControlException, known by name. */
    private static final class AccessControlException extends IOException {}

    @Test
    void transientErrorsAreRetriedUntilARead() throws Exception {
        FlakyStore store =
                new FlakyStore(
                        new byte[] {1, 2, 3},
                        new IOException("connection reset"),
                        new SocketTimeoutException("slow down"));

        assertThat(fetch(fetcher(store, 3))).containsExactly(1, 2, 3);
        assertThat(store.opens).isEqualTo(3);
    }

    @Test
    void transientErrorsBeyondMaxAttemptsAreFetchFailedNamingTheAttempts() {
        FlakyStore store =
                new FlakyStore(
                        new byte[] {1},
                        new IOException("reset 1"),
                        new IOException("reset 2"),
                        new IOException("reset 3"));

        assertThatThrownBy(() -> fetch(fetcher(store, 2)))
                .isInstanceOf(FetchException.class)
                .hasMessage(
                        "event e1: cannot read image at "
                                + URI
                                + ": IOException: reset 2 (transient; 2 attempts)")
                .extracting(e -> ((FetchException) e).reason())
                .isEqualTo(ReasonCode.FETCH_FAILED);
        assertThat(store.opens).isEqualTo(2);
    }

    @Test
    void aPermanentErrorIsNotRetried() {
        FlakyStore missing = new FlakyStore(new byte[] {1}, new NoSuchFileException("/x"));
        FlakyStore denied = new FlakyStore(new byte[] {1}, new AccessDeniedException("/x"));

        assertThatThrownBy(() -> fetch(fetcher(missing, 5)))
                .hasMessage("event e1: cannot read image at " + URI + ": no such file");
        assertThatThrownBy(() -> fetch(fetcher(denied, 5)))
                .hasMessage("event e1: cannot read image at " + URI + ": access denied");
        assertThat(missing.opens).isEqualTo(1);
        assertThat(denied.opens).isEqualTo(1);
    }

    @Test
    void noFurtherAttemptStartsWhenItsBackoffWouldPassTheDeadline() {
        FlakyStore store =
                new FlakyStore(new byte[] {1}, new IOException("reset"), new IOException("reset"));
        ImageFetcher slowBackoff = new ImageFetcher(1000, 5, Duration.ofHours(1), store);

        assertThatThrownBy(
                        () ->
                                slowBackoff.fetch(
                                        "e1",
                                        URI,
                                        ALLOWED,
                                        System.nanoTime() + TimeUnit.SECONDS.toNanos(30),
                                        in -> {}))
                .hasMessageEndingWith("IOException: reset (transient; 1 attempt)");
        assertThat(store.opens).isEqualTo(1);
    }

    @Test
    void anObjectOverTheCapIsPayloadTooLargeAndNotRetried() {
        FlakyStore store = new FlakyStore(new byte[200_000]); // more than one 64 KiB read

        assertThatThrownBy(() -> fetch(fetcher(store, 3)))
                .hasMessage("event e1: image at " + URI + " exceeds the 1000-byte cap")
                .extracting(e -> ((FetchException) e).reason())
                .isEqualTo(ReasonCode.PAYLOAD_TOO_LARGE);
        assertThat(store.opens).isEqualTo(1);
    }

    @Test
    void anObjectOfExactlyTheCapIsRead() throws Exception {
        assertThat(fetch(fetcher(new FlakyStore(new byte[1000]), 1))).hasSize(1000);
    }

    @Test
    void aLocalFileUnderTheRootIsRead(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.png"), new byte[] {7, 8});

        assertThat(fetchFile(dir, "a.png")).containsExactly(7, 8);
    }

    @Test
    void aLocalFileReachedThroughAnEscapingLinkIsUriNotAllowedWithTheStandardMessage(
            @TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("images"));
        Files.write(dir.resolve("secret.png"), new byte[] {1});
        Files.createSymbolicLink(root.resolve("out"), dir);
        String existing = root.toUri() + "out/secret.png";
        String missing = root.toUri() + "out/missing.png";

        FetchException a = fetchFileFailure(root, "out/secret.png");
        FetchException b = fetchFileFailure(root, "out/missing.png");

        assertThat(a.reason()).isEqualTo(ReasonCode.URI_NOT_ALLOWED);
        assertThat(b.reason()).isEqualTo(ReasonCode.URI_NOT_ALLOWED);
        assertThat(a.getMessage()).isEqualTo(ImageFetcher.notAllowed("e1", existing).getMessage());
        assertThat(b.getMessage().replace(missing, existing)).isEqualTo(a.getMessage());
        assertThat(a.getMessage())
                .isEqualTo(
                        "event e1: image URI '"
                                + existing
                                + "' is not under an allowed prefix (images.allowedUris); send"
                                + " the image inline or under an allowed prefix");
    }

    @Test
    void aDirectoryOrAMissingFileUnderTheRootIsFetchFailed(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));

        assertThat(fetchFileFailure(dir, "sub").getMessage())
                .endsWith(": a directory, not an image file");
        assertThat(fetchFileFailure(dir, "nope.png").getMessage()).endsWith(": no such file");
        assertThat(fetchFileFailure(dir, "nope.png").reason()).isEqualTo(ReasonCode.FETCH_FAILED);
    }

    private static byte[] fetchFile(Path root, String relative) throws Exception {
        String prefix = root.toUri().toString();
        AllowedUri allowed =
                ImageUriPolicy.allowing(List.of(prefix)).check(prefix + relative).orElseThrow();
        return new ImageFetcher(1000, 3, Duration.ofMillis(1), ImageFetcher.FILE_SYSTEMS)
                .fetch("e1", prefix + relative, allowed, System.nanoTime() + FAR, in -> {});
    }

    private static FetchException fetchFileFailure(Path root, String relative) {
        try {
            fetchFile(root, relative);
        } catch (FetchException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("fetch of " + relative + " succeeded");
    }
}
