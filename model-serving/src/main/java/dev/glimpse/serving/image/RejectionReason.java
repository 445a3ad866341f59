package dev.glimpse.serving.image;

/**
 * Why an input was not turned into pixels. Stable names: they end up in metrics and dead letters.
 */
public enum RejectionReason {
    /** Not an image format we decode (no reader recognises the bytes, or a feature we lack). */
    UNSUPPORTED_FORMAT,
    /** The bytes are damaged: bad checksum, impossible header, undecodable data. */
    CORRUPT,
    /** The data ends early (missing end marker, chunk or strip cut short). */
    TRUNCATED,
    /** More encoded bytes than {@link DecodeLimits#maxEncodedBytes()} allows. */
    TOO_LARGE,
    /** A side longer than {@link DecodeLimits#maxWidth()} / {@link DecodeLimits#maxHeight()}. */
    DIMENSION_TOO_LARGE,
    /** More pixels than {@link DecodeLimits#maxPixels()} (decompression bombs). */
    TOO_MANY_PIXELS,
    /** A side shorter than {@link DecodeLimits#minWidth()} / {@link DecodeLimits#minHeight()}. */
    TOO_SMALL
}
