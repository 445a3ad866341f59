package dev.glimpse.serving.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    @TempDir Path dir;

    @Test
    void aRegularFileWithinTheCapIsReadWhole() throws Exception {
        Path file = Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3});

        assertThat(InputFiles.read(file, 3)).containsExactly(1, 2, 3);
    }

    @Test
    void aFileOverTheCapIsTooLargeWithoutBeingRead() throws Exception {
        Path file = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(3L * 1024 * 1024 * 1024); // sparse: 3 GiB claimed, nothing allocated
        }

        assertThatThrownBy(() -> InputFiles.read(file, 1000))
                .isInstanceOf(InputFiles.Rejected.class)
                .hasMessage(file + ": 3221225472 bytes; expected at most 1000")
                .extracting(e -> ((InputFiles.Rejected) e).reason())
                .isEqualTo("TOO_LARGE");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void devZeroIsNotARegularFile() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "no /dev/zero here");

        assertThatThrownBy(() -> InputFiles.read(zero, 1000))
                .isInstanceOf(InputFiles.Rejected.class)
                .hasMessage(
                        "/dev/zero: a device, pipe or socket; expected a regular file (devices and"
                                + " pipes are not read)")
                .extracting(e -> ((InputFiles.Rejected) e).reason())
                .isEqualTo("NOT_A_REGULAR_FILE");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aFifoIsNotARegularFileAndIsNotOpened() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));

        assertThatThrownBy(() -> InputFiles.read(fifo, 1000))
                .isInstanceOf(InputFiles.Rejected.class)
                .extracting(e -> ((InputFiles.Rejected) e).reason())
                .isEqualTo("NOT_A_REGULAR_FILE");
    }

    @Test
    void aDirectoryIsNotARegularFile() {
        assertThatThrownBy(() -> InputFiles.read(dir, 1000))
                .isInstanceOf(InputFiles.Rejected.class)
                .hasMessageStartingWith(dir + ": a directory; expected a regular file");
    }

    @Test
    void aMissingFileIsUnreadable() {
        Path missing = dir.resolve("missing.png");

        assertThatThrownBy(() -> InputFiles.read(missing, 1000))
                .isInstanceOf(InputFiles.Rejected.class)
                .hasMessageStartingWith(missing + ": java.nio.file.NoSuchFileException")
                .extracting(e -> ((InputFiles.Rejected) e).reason())
                .isEqualTo("UNREADABLE");
    }

    /** A named pipe at {@code path} (mkfifo), or the test is skipped where there is none. */
    static Path mkfifo(Path path) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "mkfifo not available: " + e);
            return path;
        }
        assumeTrue(p.waitFor() == 0 && Files.exists(path), "mkfifo failed");
        return path;
    }
}
