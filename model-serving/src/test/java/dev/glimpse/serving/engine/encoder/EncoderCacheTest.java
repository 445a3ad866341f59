package dev.glimpse.serving.engine.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EncoderCacheTest {
    @Test
    void evictsLeastRecentlyUsedUntilWithinBytes() {
        EncoderCache cache = new EncoderCache(100); // 25 floats
        cache.put("a", new float[10]);
        cache.put("b", new float[10]);
        assertThat(cache.get("a")).isPresent(); // a is now most recent
        cache.put("c", new float[10]); // 120 bytes > 100: evict b
        assertThat(cache.keysLruFirst()).containsExactly("a", "c");
        assertThat(cache.usedBytes()).isEqualTo(80);
        assertThat(cache.get("b")).isEmpty();
        assertThat(cache.numQueries()).isEqualTo(2);
        assertThat(cache.numHits()).isEqualTo(1);
    }

    @Test
    void entryLargerThanCapacityIsNotKept() {
        EncoderCache cache = new EncoderCache(100);
        cache.put("a", new float[10]);
        cache.put("huge", new float[26]);
        assertThat(cache.keysLruFirst()).containsExactly("a");
        assertThat(cache.usedBytes()).isEqualTo(40);
    }

    @Test
    void zeroCapacityDisablesTheCache() {
        EncoderCache cache = new EncoderCache(0);
        cache.put("a", new float[1]);
        assertThat(cache.get("a")).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void replacingAnEntryUpdatesTheByteCount() {
        EncoderCache cache = new EncoderCache(100);
        cache.put("a", new float[10]);
        cache.put("a", new float[5]);
        assertThat(cache.usedBytes()).isEqualTo(20);
        assertThat(cache.size()).isEqualTo(1);
    }
}
