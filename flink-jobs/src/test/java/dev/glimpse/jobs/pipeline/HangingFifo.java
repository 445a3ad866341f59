package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A named pipe without a writer: opening it for reading blocks in the kernel, as a read from a
 * stuck network mount does. {@link #close()} opens it for writing once, so a reader still stuck
 * goes on (to end of stream) and its thread ends.
 */
final class HangingFifo implements AutoCloseable {

    private final Path path;

    private HangingFifo(Path path) {
        this.path = path;
    }

    /** Makes the pipe {@code name} in {@code dir} ({@code mkfifo}). */
    static HangingFifo in(Path dir, String name) throws Exception {
        Path path = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo exit status").isZero();
        return new HangingFifo(path);
    }

    /** The pipe's {@code file:} URI. */
    String uri() {
        return path.toUri().toString();
    }

    @Override
    public void close() throws Exception {
        CompletableFuture<Void> writer =
                CompletableFuture.runAsync(
                        () -> {
                            try (OutputStream out = Files.newOutputStream(path)) {
                                out.flush();
                            } catch (IOException e) {
                                // no reader left: nothing to release
                            }
                        });
        try {
            writer.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // nobody was reading
        }
    }
}
