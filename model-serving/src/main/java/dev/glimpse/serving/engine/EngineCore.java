package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.BlockPool;
import dev.glimpse.serving.engine.kv.KvCacheManager;
import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sched.EngineInvariants;
import dev.glimpse.serving.engine.sched.RequestState;
import dev.glimpse.serving.engine.sched.Scheduler;
import dev.glimpse.serving.engine.sched.SchedulerConfig;
import dev.glimpse.serving.engine.sched.SchedulerOutput;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One engine step, on the engine thread, in three calls (vLLM v1's engine core):
 *
 * <pre>
 *   plan   = scheduler.schedule()          {sequence: numTokens}, admissions, rejections
 *   output = runner.execute(plan)          vision, prefill, decode; culprits isolated
 *   outputs.update(output)                 sample, stop, results; culprits failed
 * </pre>
 *
 * preceded by expiring cancelled and late requests; the step's {@link StepOutcome} says what
 * happened.
 */
final class EngineCore {
    private final EngineConfig config;
    private final EngineMetrics metrics;
    private final AtomicInteger numQueued;
    private final EngineCounters counters;
    private final KvCacheManager kv;
    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final RequestTable requests;
    private final OutputProcessor outputs;
    private long lastReportedCopies;

    EngineCore(
            EngineConfig config,
            ModelExecutor executor,
            PromptEncoder prompts,
            EngineMetrics metrics,
            EngineCounters counters,
            Executor completions,
            AtomicInteger numQueued,
            LongSupplier nanoTime) {
        this.config = config;
        this.metrics = metrics;
        this.numQueued = numQueued;
        this.counters = counters;
        this.kv =
                new KvCacheManager(
                        new BlockPool(config.numKvBlocks()),
                        config.blockSize(),
                        config.prefixCaching());
        this.scheduler =
                new Scheduler(
                        new SchedulerConfig(
                                config.maxNumBatchedTokens(),
                                config.maxNumSeqs(),
                                config.oldestFirstEvery()),
                        kv);
        this.runner = new ModelRunner(config, executor, kv, metrics, counters, nanoTime);
        this.requests =
                new RequestTable(scheduler, runner, metrics, completions, numQueued, nanoTime);
        this.outputs =
                new OutputProcessor(
                        prompts,
                        executor.shape(),
                        scheduler,
                        requests,
                        metrics,
                        counters,
                        nanoTime);
    }

    void add(ActiveRequest req) {
        requests.add(req);
    }

    /** Earliest deadline among active requests, or Long.MAX_VALUE. */
    long nextDeadline() {
        return requests.nextDeadline();
    }

    /** Runs one step: schedule → run → update. */
    StepOutcome step() {
        requests.expire();
        SchedulerOutput plan = scheduler.schedule();
        rejectUnschedulable(plan.rejected());
        if (plan.isEmpty()) {
            runner.idle(scheduler.numRunning());
            publishGauges();
            return scheduler.numWaiting() > 0 ? StepOutcome.CAPACITY_DEFERRED : StepOutcome.NO_WORK;
        }
        counters.step(plan.numPrefixQueryTokens(), plan.numPrefixHitTokens());
        metrics.step(plan.numScheduledTokens().size());
        metrics.prefixCache(plan.numPrefixQueryTokens(), plan.numPrefixHitTokens());
        plan.admitted().forEach(requests::onAdmitted);

        ModelRunnerOutput output = runner.execute(plan, requests.owners());
        List<String> culprits = outputs.update(output);

        publishGauges();
        if (config.validateInvariants()) {
            List<String> violations = EngineInvariants.validate(scheduler);
            if (!violations.isEmpty()) {
                throw new IllegalStateException("engine invariants violated: " + violations);
            }
        }
        return culprits.isEmpty() ? StepOutcome.COMMITTED : StepOutcome.failed(culprits);
    }

    /** The pool can never hold them (submit's checks make this a safety net). */
    private void rejectUnschedulable(List<Sequence> rejected) {
        for (Sequence seq : rejected) {
            ActiveRequest req = requests.ownerOf(seq);
            requests.abort(
                    req,
                    RequestState.FINISHED_FAILED,
                    new AdmissionException(
                            req.id(),
                            AdmissionReason.EXCEEDS_KV_CAPACITY,
                            "sequence "
                                    + seq.id()
                                    + " needs "
                                    + seq.maxTotalTokens()
                                    + " tokens of KV, the pool holds "
                                    + (long) config.numKvBlocks() * config.blockSize()));
        }
    }

    private void publishGauges() {
        metrics.queues(numQueued.get(), scheduler.numWaiting(), scheduler.numRunning(), kv.usage());
        metrics.kvNative(runner.kvMemory().numBytes(), runner.kvMemory().budgetBytes());
        long total = runner.kvBytesCopied();
        metrics.kvCopied(total - lastReportedCopies);
        lastReportedCopies = total;
    }

    /**
     * Fails everything still active with the error {@code errorFor} gives for a request id (engine
     * closing or failed) and drops every native buffer.
     */
    void shutdown(Function<String, EngineException> errorFor) {
        requests.abortAll(RequestState.FINISHED_CLOSED, errorFor);
        runner.close();
        publishGauges();
    }

    EngineStats stats() {
        return new EngineStats(
                counters.numSteps,
                counters.numDecodeSteps,
                counters.numPlainDecodeSteps,
                runner.kvBytesCopied(),
                counters.kvBytesCopiedInPlainDecodeSteps,
                counters.numGeneratedTokens,
                counters.numPrefixQueryTokens,
                counters.numPrefixHitTokens,
                runner.encoderCache().numQueries(),
                runner.encoderCache().numHits(),
                counters.numVisionRuns,
                counters.numImagesEncoded,
                counters.numRejected(),
                counters.visionNanos,
                counters.prefillNanos,
                counters.decodeNanos,
                counters.rebuildNanos,
                counters.numGroupedPrefills,
                kv.pool().numEvictions(),
                counters.numIsolationRuns,
                runner.kvMemory().numBytes());
    }
}
