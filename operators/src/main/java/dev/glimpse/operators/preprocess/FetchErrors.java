package dev.glimpse.operators.preprocess;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;

/**
 * Which read errors are worth another attempt. Permanent: the object is missing ({@link
 * FileNotFoundException}, {@link NoSuchFileException}, {@link NotDirectoryException}), access is
 * denied ({@link AccessDeniedException}, Hadoop's {@code AccessControlException}), no file system
 * serves the scheme ({@link UnsupportedFileSystemSchemeException}), or {@link NotReadable} (a
 * directory). Every other {@link IOException} is transient (a reset connection, a throttled object
 * store, a stale network mount) and is retried with backoff. Image size over the cap is not an
 * {@code IOException} here: it is reported at once as PAYLOAD_TOO_LARGE. An interrupted read (the
 * fetch was abandoned at its deadline) is never retried: {@link ImageFetcher} checks the thread's
 * interrupt before asking this class.
 */
public final class FetchErrors {

    private FetchErrors() {}

    /** Whether {@code e} may go away if the read is tried again. */
    public static boolean isTransient(IOException e) {
        return !(e instanceof FileNotFoundException
                || e instanceof NoSuchFileException
                || e instanceof NotDirectoryException
                || e instanceof AccessDeniedException
                || e instanceof UnsupportedFileSystemSchemeException
                || e instanceof NotReadable
                || e instanceof OutsideRoot
                // Hadoop file systems (hdfs://, s3a:// through the Hadoop plugin) are not on
                // Glimpse's classpath; their permission error is known by name.
                || e.getClass().getSimpleName().equals("AccessControlException"));
    }

    /** A short, path-free description of {@code e} for a dead letter. */
    static String describe(IOException e) {
        if (e instanceof FileNotFoundException
                || e instanceof NoSuchFileException
                || e instanceof NotDirectoryException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException
                || e.getClass().getSimpleName().equals("AccessControlException")) {
            return "access denied";
        }
        if (e instanceof NotReadable) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** A {@code file:} URI whose real path leads out of its allowed root: URI_NOT_ALLOWED. */
    public static final class OutsideRoot extends IOException {
        private static final long serialVersionUID = 1L;

        public OutsideRoot() {
            super("outside the allowed roots");
        }
    }

    /** Something that exists but is no image file (a directory): retrying cannot help. */
    public static final class NotReadable extends IOException {
        private static final long serialVersionUID = 1L;

        public NotReadable(String message) {
            super(message);
        }
    }
}
