package dev.glimpse.operators.preprocess;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The encoded bytes of an event's image: inline, or read through Flink's FileSystem abstraction
 * ({@code file://}, {@code s3://}, {@code hdfs://}, ... whatever plugins the cluster has), never
 * more than {@code maxBytes}.
 */
public final class ImageFetcher {

    private final long maxBytes;

    public ImageFetcher(long maxBytes) {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be in [1, 2^31-9], was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The image bytes of {@code event}. */
    public byte[] fetch(ImageEvent event) throws FetchException {
        Object image = event.getImage();
        if (image instanceof InlineImage inline) {
            ByteBuffer data = inline.getData().duplicate();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            return bytes;
        }
        if (image instanceof ImageReference ref) {
            return read(event.getEventId(), ref.getUri());
        }
        throw new FetchException(
                ReasonCode.MISSING_IMAGE, "event " + event.getEventId() + ": no image");
    }

    private byte[] read(String eventId, String uri) throws FetchException {
        Path path;
        try {
            path = new Path(URI.create(uri));
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    ReasonCode.FETCH_FAILED,
                    "event " + eventId + ": invalid image URI '" + uri + "'");
        }
        try {
            FileSystem fs = path.getFileSystem();
            try (InputStream in = fs.open(path)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                while ((n = in.read(buffer)) > 0) {
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
        } catch (IOException | RuntimeException e) {
            throw new FetchException(
                    ReasonCode.FETCH_FAILED,
                    "event " + eventId + ": cannot read image at " + uri + ": " + e.getMessage());
        }
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
