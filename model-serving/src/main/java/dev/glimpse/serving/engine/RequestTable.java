package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sched.RequestState;
import dev.glimpse.serving.engine.sched.Scheduler;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The lifecycle of the engine's active requests: added, admitted, completed, aborted (failure,
 * cancellation, deadline, close). Every sequence that finishes leaves the scheduler and gives back
 * its KV here; every future is completed here, on the completion executor so that callbacks never
 * run on the engine thread. Engine thread only.
 */
final class RequestTable {
    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final EngineMetrics metrics;
    private final Executor completions;
    private final AtomicInteger numQueued;
    private final LongSupplier nanoTime;
    private final Map<String, ActiveRequest> owners = new HashMap<>(); // by sequence id
    private final List<ActiveRequest> active = new ArrayList<>();
    private final ServiceTimes serviceTimes = new ServiceTimes();
    private long arrivals; // submit order: the scheduler's "oldest"

    RequestTable(
            Scheduler scheduler,
            ModelRunner runner,
            EngineMetrics metrics,
            Executor completions,
            AtomicInteger numQueued,
            LongSupplier nanoTime) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.metrics = metrics;
        this.completions = completions;
        this.numQueued = numQueued;
        this.nanoTime = nanoTime;
    }

    void add(ActiveRequest req) {
        active.add(req);
        long arrival = arrivals++;
        for (Sequence s : req.sequences) {
            owners.put(s.id(), req);
            s.setPriority(req.request.priority(), arrival);
        }
        // Moderation: only the first category runs at first; the others follow once its prompt
        // blocks are published, so they hit the shared [instruction + image] prefix.
        scheduler.addWaiting(req.sequences.get(0));
    }

    ActiveRequest ownerOf(Sequence seq) {
        return owners.get(seq.id());
    }

    /** Sequence id → its request, for the model runner's image lookups. */
    Map<String, ActiveRequest> owners() {
        return owners;
    }

    boolean isEmpty() {
        return active.isEmpty();
    }

    /** Earliest deadline (timeout, or freshness of one not started) among active requests. */
    long nextDeadline() {
        long now = nanoTime.getAsLong();
        long d = Long.MAX_VALUE;
        for (ActiveRequest r : active) {
            long stale = r.staleNanos - serviceTimes.expectedNanos(r.request.task(), now);
            d = Math.min(d, r.started ? r.deadlineNanos : Math.min(r.deadlineNanos, stale));
        }
        return d;
    }

    /** A sequence was admitted: its request stops counting against the admission queue. */
    void onAdmitted(Sequence seq) {
        ActiveRequest req = owners.get(seq.id());
        if (!req.started) {
            req.started = true;
            req.admittedNanos = nanoTime.getAsLong();
            numQueued.decrementAndGet();
        }
    }

    /** Ends a sequence: it leaves the scheduler, its KV blocks and buffers are freed. */
    void finish(Sequence seq, RequestState state) {
        scheduler.finish(seq, state);
        runner.releaseKv(seq);
    }

    /** Completes a request whose sequences all finished with an answer. */
    void complete(ActiveRequest req, EngineResult result) {
        markDone(req);
        long now = nanoTime.getAsLong();
        serviceTimes.record(req.request.task(), now - req.admittedNanos, now);
        metrics.completed("ok");
        completions.execute(() -> req.future.complete(result));
    }

    /** Ends every unfinished sequence of the request in {@code state} and fails its future. */
    void abort(ActiveRequest req, RequestState state, Throwable error) {
        if (req.done) {
            return;
        }
        for (Sequence s : req.sequences) {
            if (!s.state().isFinished()) {
                finish(s, state);
            }
        }
        markDone(req);
        metrics.completed(state.name().substring("FINISHED_".length()).toLowerCase(Locale.ROOT));
        if (error != null) {
            completions.execute(() -> req.future.completeExceptionally(error));
        }
    }

    /**
     * Aborts cancelled requests and those past their timeout, and skips those that have not started
     * and could not be answered within their freshness deadline: already older than it, or too old
     * to finish before it in the task's recent service time ({@link ServiceTimes}). Checked before
     * every schedule, so no stale request is ever admitted.
     */
    void expire() {
        long now = nanoTime.getAsLong();
        for (ActiveRequest req : List.copyOf(active)) {
            if (req.future.isCancelled()) {
                abort(req, RequestState.FINISHED_CANCELLED, null);
            } else if (!req.started
                    && now + serviceTimes.expectedNanos(req.request.task(), now)
                            >= req.staleNanos) {
                metrics.skipped(req.request.task().name().toLowerCase(Locale.ROOT));
                abort(
                        req,
                        RequestState.FINISHED_SKIPPED,
                        new StaleRequestException(
                                req.id(),
                                req.request.task(),
                                req.request.deadline().orElseThrow(),
                                now >= req.staleNanos
                                        ? 0
                                        : serviceTimes.expectedNanos(req.request.task(), now)));
            } else if (now >= req.deadlineNanos) {
                abort(
                        req,
                        RequestState.FINISHED_DEADLINE,
                        new DeadlineExceededException(
                                req.id(), req.request.timeout().orElseThrow()));
            }
        }
    }

    /** Fails every active request with the error {@code errorFor} gives for its id. */
    void abortAll(RequestState state, Function<String, ? extends Throwable> errorFor) {
        for (ActiveRequest req : List.copyOf(active)) {
            abort(req, state, errorFor.apply(req.id()));
        }
    }

    private void markDone(ActiveRequest req) {
        req.done = true;
        active.remove(req);
        for (Sequence s : req.sequences) {
            owners.remove(s.id());
        }
        if (!req.started) {
            req.started = true;
            numQueued.decrementAndGet();
        }
    }
}
