package dev.glimpse.serving.engine;

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

    private static final int TASKS = Task.values().length;

    // per task, by ordinal: ring buffers of the last WINDOW answers, created at the first one
    private final long[][] durations = new long[TASKS][];
    private final long[][] endedAt = new long[TASKS][];
    private final int[] next = new int[TASKS]; // the slot the next answer goes to
    private final int[] filled = new int[TASKS]; // slots holding an answer, at most WINDOW
    // the last estimate per task and the instant it is for; recording an answer clears it
    private final long[] estimateAt = new long[TASKS];
    private final long[] estimate = new long[TASKS];
    private final boolean[] estimated = new boolean[TASKS];

    /** Records one answered request of {@code task}: admitted {@code nanos} before {@code now}. */
    void record(Task task, long nanos, long now) {
        int t = task.ordinal();
        if (durations[t] == null) {
            durations[t] = new long[WINDOW];
            endedAt[t] = new long[WINDOW];
        }
        int slot = next[t];
        next[t] = (slot + 1) % WINDOW;
        filled[t] = Math.min(filled[t] + 1, WINDOW);
        durations[t][slot] = Math.max(0, nanos);
        endedAt[t][slot] = now;
        estimated[t] = false;
    }

    /** The longest recent service time of {@code task} at {@code now}; 0 when there is none. */
    long expectedNanos(Task task, long now) {
        int t = task.ordinal();
        if (durations[t] == null) {
            return 0;
        }
        if (estimated[t] && estimateAt[t] == now) {
            return estimate[t];
        }
        long max = 0;
        for (int i = 0; i < filled[t]; i++) {
            if (now - endedAt[t][i] <= MAX_AGE_NANOS) {
                max = Math.max(max, durations[t][i]);
            }
        }
        estimated[t] = true;
        estimateAt[t] = now;
        estimate[t] = max;
        return max;
    }
}
