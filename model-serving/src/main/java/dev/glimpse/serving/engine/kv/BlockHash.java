package dev.glimpse.serving.engine.kv;

/**
 * 128 bits of SHA-256 over {@code (parentHash, tokenIds, extraKeys)} of one full block: equal
 * hashes mean equal token prefixes (and equal images under them).
 */
public record BlockHash(long hi, long lo) {
    @Override
    public String toString() {
        return String.format("%016x%016x", hi, lo);
    }
}
