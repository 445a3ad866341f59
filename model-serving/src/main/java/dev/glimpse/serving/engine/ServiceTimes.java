package dev.glimpse.serving.engine;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How long each task's recent requests took from admission to their answer, so that a request with
 * a freshness deadline is skipped when it could no longer be answered in time, not only when it is
 * already too old. The estimate is the longest of the task's last {@value #WINDOW} service times
 * that ended within the last {@value #MAX_AGE_SECONDS} s: a mean would let about half of the
 * requests served at the edge of their deadline finish past it, and the longest recent one follows
 * the batch size the engine runs at now (a full batch decodes more slowly per sequence). The window
 * is long enough that its longest is about the 99.6th percentile of the recent answers: a 10-minute
 * overload with a window of 32 (about the 97th) served 1 % of its captions a few milliseconds past
 * their deadline, since under overload every caption served is one at the edge. Samples age out so
 * that one slow period cannot skip a task's requests for ever: with none left the estimate is 0 and
 * the next fresh request runs and measures again. The estimate is computed once per task and
 * instant ({@link RequestTable#expire} asks for every waiting request). Engine thread only.
 */
final class ServiceTimes {
    static final int WINDOW = 256;
    static final long MAX_AGE_SECONDS = 10;
    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(MAX_AGE_SECONDS);

    private final Map<Task, long[]> durations = new EnumMap<>(Task.class);
    private final Map<Task, long[]> endedAt = new EnumMap<>(Task.class);
    private final Map<Task, Integer> counts = new EnumMap<>(Task.class);
    private final Map<Task, long[]> memo = new EnumMap<>(Task.class); // {now, estimate}

    /** Records one answered request of {@code task}: admitted {@code nanos} before {@code now}. */
    void record(Task task, long nanos, long now) {
        int n = counts.getOrDefault(task, 0);
        durations.computeIfAbsent(task, t -> new long[WINDOW])[n % WINDOW] = Math.max(0, nanos);
        endedAt.computeIfAbsent(task, t -> new long[WINDOW])[n % WINDOW] = now;
        counts.put(task, n + 1);
        memo.remove(task);
    }

    /** The longest recent service time of {@code task} at {@code now}; 0 when there is none. */
    long expectedNanos(Task task, long now) {
        long[] d = durations.get(task);
        if (d == null) {
            return 0;
        }
        long[] known = memo.get(task);
        if (known != null && known[0] == now) {
            return known[1];
        }
        long[] at = endedAt.get(task);
        int n = Math.min(counts.get(task), WINDOW);
        long max = 0;
        for (int i = 0; i < n; i++) {
            if (now - at[i] <= MAX_AGE_NANOS) {
                max = Math.max(max, d[i]);
            }
        }
        memo.put(task, new long[] {now, max});
        return max;
    }
}
