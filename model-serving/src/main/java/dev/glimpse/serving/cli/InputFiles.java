package dev.glimpse.serving.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads an input file only after checking that it is a regular file within a size cap, so that
 * {@code /dev/zero}, a FIFO or a multi-gigabyte file gives an error line instead of an
 * OutOfMemoryError or a hang. The read itself is bounded too, for a file that grows after the
 * check.
 */
final class InputFiles {

    private InputFiles() {}

    /** Why a file was not read: {@code reason} is the stable name an error line carries. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Rejected(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }

    /**
     * The bytes of {@code file}.
     *
     * @throws Rejected NOT_A_REGULAR_FILE (a directory, device, FIFO or socket), TOO_LARGE (more
     *     than {@code maxBytes}) or UNREADABLE (missing, no permission, I/O error)
     */
    static byte[] read(Path file, long maxBytes) throws Rejected {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new Rejected("UNREADABLE", file + ": " + e);
        }
        if (!attributes.isRegularFile()) {
            throw new Rejected(
                    "NOT_A_REGULAR_FILE",
                    file
                            + ": "
                            + kind(attributes)
                            + "; expected a regular file (devices and pipes are not read)");
        }
        if (attributes.size() > maxBytes) {
            throw new Rejected("TOO_LARGE", tooLarge(file, attributes.size() + " bytes", maxBytes));
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new Rejected(
                        "TOO_LARGE", tooLarge(file, "more than " + maxBytes + " bytes", maxBytes));
            }
            return bytes;
        } catch (IOException e) {
            throw new Rejected("UNREADABLE", file + ": " + e);
        }
    }

    private static String tooLarge(Path file, String size, long maxBytes) {
        return file + ": " + size + "; expected at most " + maxBytes;
    }

    private static String kind(BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        return attributes.isOther() ? "a device, pipe or socket" : "not a regular file";
    }
}
