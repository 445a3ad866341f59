package dev.glimpse.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.operators.preprocess.ImageFetcher.FetchException;
import dev.glimpse.schemas.ReasonCode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO with no writer stands for a read that hangs (a stuck network mount): opening it blocks in
 * the kernel, where neither an interrupt nor a close reaches it, until a writer opens it.
 */
class FetchPoolTest {

    @TempDir Path root;
    private String prefix;
    private final List<Path> fifos = new ArrayList<>();
    private FetchPool pool;

    @BeforeEach
    void prefix() {
        prefix = root.toUri().toString();
    }

    @AfterEach
    void release() throws Exception {
        for (Path fifo : fifos) {
            unblock(fifo);
        }
        if (pool != null) {
            pool.close();
        }
    }

    private FetchPool pool(int threads, Duration timeout) {
        pool =
                new FetchPool(
                        new ImageFetcher(
                                1 << 20, 3, Duration.ofMillis(10), ImageFetcher.FILE_SYSTEMS),
                        threads,
                        timeout);
        return pool;
    }

    private CompletableFuture<byte[]> submit(String id, String name) {
        String uri = prefix + name;
        return pool.submit(
                id, uri, ImageUriPolicy.allowing(List.of(prefix)).check(uri).orElseThrow());
    }

    private Path fifo(String name) throws Exception {
        Path fifo = root.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo exit status").isZero();
        fifos.add(fifo);
        return fifo;
    }

    /** Opens the FIFO for writing (which lets a reader stuck in open() go on) and closes it. */
    private static void unblock(Path fifo) throws Exception {
        CompletableFuture<Void> writer =
                CompletableFuture.runAsync(
                        () -> {
                            try (OutputStream out = Files.newOutputStream(fifo)) {
                                out.flush();
                            } catch (Exception e) {
                                // nobody reading any more: nothing to release
                            }
                        });
        try {
            writer.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // no reader was waiting; the writer thread stays parked, a daemon of the pool
        }
    }

    /** The stuck count is raised just after the timeout is reported, on the watchdog thread. */
    private void awaitStuck(int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pool.stuckThreads() != expected && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(pool.stuckThreads()).isEqualTo(expected);
    }

    private static FetchException failure(CompletableFuture<byte[]> f) throws Exception {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(FetchException.class);
            return (FetchException) e.getCause();
        }
        throw new AssertionError("the fetch succeeded");
    }

    @Test
    void aHungReadIsFetchTimeoutAtItsDeadline() throws Exception {
        fifo("hang.png");
        pool(2, Duration.ofMillis(300));

        FetchException e = failure(submit("hung", "hang.png"));

        assertThat(e.reason()).isEqualTo(ReasonCode.FETCH_TIMEOUT);
        assertThat(e.getMessage())
                .isEqualTo("event hung: image at " + prefix + "hang.png not fetched within 300 ms");
        awaitStuck(1);
    }

    @Test
    void otherFetchesCompletePastAHungOne() throws Exception {
        fifo("hang.png");
        Files.write(root.resolve("ok.png"), new byte[] {1, 2});
        pool(2, Duration.ofSeconds(60));

        CompletableFuture<byte[]> hung = submit("hung", "hang.png");
        List<byte[]> fetched = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fetched.add(submit("ok-" + i, "ok.png").get(30, TimeUnit.SECONDS));
        }

        assertThat(fetched).allSatisfy(b -> assertThat(b).containsExactly(1, 2));
        assertThat(hung).as("still waiting for its writer").isNotDone();
    }

    @Test
    void whenEveryThreadIsStuckNewFetchesFailAtOnceAndRecoverWhenAReadReturns() throws Exception {
        Path fifo = fifo("hang.png");
        Files.write(root.resolve("ok.png"), new byte[] {5});
        pool(1, Duration.ofMillis(300));
        assertThat(failure(submit("hung", "hang.png")).reason())
                .isEqualTo(ReasonCode.FETCH_TIMEOUT);
        awaitStuck(1);

        CompletableFuture<byte[]> refused = submit("next", "ok.png");

        assertThat(refused).isCompletedExceptionally(); // at once, not at its deadline
        assertThat(failure(refused).getMessage())
                .isEqualTo(
                        "event next: image at "
                                + prefix
                                + "ok.png not fetched: all 1 fetch threads are stuck on earlier"
                                + " reads past their deadline");

        unblock(fifo); // the stuck read returns (end of stream): its thread is free again
        awaitStuck(0);
        assertThat(submit("after", "ok.png").get(30, TimeUnit.SECONDS)).containsExactly(5);
    }

    @Test
    void aFetchQueuedBehindAHungOneTimesOutWithoutEverStarting() throws Exception {
        fifo("hang.png");
        Files.write(root.resolve("ok.png"), new byte[] {5});
        pool(1, Duration.ofMillis(300));

        CompletableFuture<byte[]> hung = submit("hung", "hang.png");
        CompletableFuture<byte[]> queued = submit("queued", "ok.png");

        assertThat(failure(queued).reason()).isEqualTo(ReasonCode.FETCH_TIMEOUT);
        assertThat(failure(hung).reason()).isEqualTo(ReasonCode.FETCH_TIMEOUT);
    }

    @Test
    void permanentFailuresCompleteWithTheirReason() throws Exception {
        pool(1, Duration.ofSeconds(60));

        assertThatThrownBy(() -> submit("gone", "nope.png").get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(FetchException.class)
                .hasMessageEndingWith(
                        "event gone: cannot read image at " + prefix + "nope.png: no such file");
    }
}
