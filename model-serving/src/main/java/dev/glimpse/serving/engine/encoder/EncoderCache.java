package dev.glimpse.serving.engine.encoder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Image content hash → visual tokens ({@code [(1 + slices) * Q, D]} floats), least recently used
 * evicted first, bounded by bytes. Capacity 0 disables it. Engine thread only; the statistics are
 * safe to read from any thread.
 */
public final class EncoderCache {
    private final long capacityBytes;
    private final LinkedHashMap<String, float[]> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long usedBytes;
    private volatile long numQueries;
    private volatile long numHits;

    public EncoderCache(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must be >= 0, got " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    /** Looks up and counts a query (and a hit when present); refreshes recency. */
    public Optional<float[]> get(String contentHash) {
        numQueries++;
        float[] v = entries.get(contentHash);
        if (v != null) {
            numHits++;
        }
        return Optional.ofNullable(v);
    }

    /**
     * Inserts (or refreshes) and evicts LRU entries until within capacity; too-large values are not
     * kept.
     */
    public void put(String contentHash, float[] visualTokens) {
        long bytes = 4L * visualTokens.length;
        float[] old = entries.remove(contentHash);
        if (old != null) {
            usedBytes -= 4L * old.length;
        }
        if (bytes > capacityBytes) {
            return;
        }
        entries.put(contentHash, visualTokens);
        usedBytes += bytes;
        var it = entries.entrySet().iterator();
        while (usedBytes > capacityBytes && it.hasNext()) {
            Map.Entry<String, float[]> eldest = it.next();
            usedBytes -= 4L * eldest.getValue().length;
            it.remove();
        }
    }

    public boolean contains(String contentHash) {
        return entries.containsKey(contentHash);
    }

    public long usedBytes() {
        return usedBytes;
    }

    public int size() {
        return entries.size();
    }

    /** Keys from least to most recently used. */
    public java.util.List<String> keysLruFirst() {
        return java.util.List.copyOf(entries.keySet());
    }

    public long numQueries() {
        return numQueries;
    }

    public long numHits() {
        return numHits;
    }

    public void clear() {
        entries.clear();
        usedBytes = 0;
    }
}
