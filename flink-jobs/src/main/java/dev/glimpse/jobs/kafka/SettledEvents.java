package dev.glimpse.jobs.kafka;

/**
 * The events an audit has settled (acknowledged and answered), kept as a 64-bit hash of the event
 * id and a byte of flags in an open-addressing table: about 18 bytes per event instead of the id
 * string and a map entry, so a run of hours does not grow the demo's heap by its audit (a 30-minute
 * soak sends 200,000 events). Two ids share a hash with probability about n^2 / 2^65 (10^-8 for a
 * million events); a collision would merge their counts. Not thread-safe: the audit locks.
 */
final class SettledEvents {
    private static final float MAX_LOAD = 0.5f;

    private long[] keys = new long[1024];
    private byte[] flags = new byte[1024];
    private int size;

    /** The flags of {@code id}, or -1 when it is not settled. */
    int get(String id) {
        long h = hash(id);
        for (int i = slot(h); ; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == 0) {
                return -1;
            }
            if (keys[i] == h) {
                return flags[i];
            }
        }
    }

    /** Sets the flags of {@code id}, adding it when it is not settled yet. */
    void put(String id, int value) {
        if (size + 1 > keys.length * MAX_LOAD) {
            grow();
        }
        insert(hash(id), (byte) value);
    }

    int size() {
        return size;
    }

    private void insert(long h, byte value) {
        for (int i = slot(h); ; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == 0) {
                keys[i] = h;
                flags[i] = value;
                size++;
                return;
            }
            if (keys[i] == h) {
                flags[i] = value;
                return;
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        byte[] oldFlags = flags;
        keys = new long[oldKeys.length * 2];
        flags = new byte[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                insert(oldKeys[i], oldFlags[i]);
            }
        }
    }

    private int slot(long h) {
        return (int) (h & (keys.length - 1));
    }

    /** FNV-1a over the UTF-16 chars, then the SplitMix64 finaliser; never 0 (the empty slot). */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h == 0 ? 1 : h;
    }
}
