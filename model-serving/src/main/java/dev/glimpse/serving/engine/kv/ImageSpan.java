package dev.glimpse.serving.engine.kv;

/**
 * Token positions {@code [start, end)} of one image's placeholder in a prompt, and the image's
 * content hash; every block overlapping the span carries the hash in its extra keys.
 */
public record ImageSpan(int start, int end, String contentHash) {
    public ImageSpan {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException(
                    "span must satisfy 0 <= start < end, got [" + start + ", " + end + ")");
        }
        if (contentHash == null || contentHash.isEmpty()) {
            throw new IllegalArgumentException("contentHash must be non-empty");
        }
    }

    boolean overlaps(int from, int to) {
        return start < to && from < end;
    }
}
