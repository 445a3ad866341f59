package dev.glimpse.serving.engine.kv;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Free blocks in eviction order: the head is the least recently freed and is reused first. O(1)
 * append, pop and removal from the middle (a prefix hit revives a free block).
 */
final class FreeBlockQueue {
    private final LinkedHashSet<KvBlock> queue = new LinkedHashSet<>();

    void append(KvBlock block) {
        if (!queue.add(block)) {
            throw new IllegalStateException(block + " is already free");
        }
    }

    KvBlock popLeft() {
        Iterator<KvBlock> it = queue.iterator();
        if (!it.hasNext()) {
            throw new IllegalStateException("no free block");
        }
        KvBlock head = it.next();
        it.remove();
        return head;
    }

    void remove(KvBlock block) {
        if (!queue.remove(block)) {
            throw new IllegalStateException(block + " is not free");
        }
    }

    boolean contains(KvBlock block) {
        return queue.contains(block);
    }

    int size() {
        return queue.size();
    }

    List<Integer> ids() {
        List<Integer> ids = new ArrayList<>(queue.size());
        for (KvBlock b : queue) {
            ids.add(b.id());
        }
        return ids;
    }
}
