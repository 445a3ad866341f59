package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sampling.Sampler;
import dev.glimpse.serving.engine.sched.RequestState;
import dev.glimpse.serving.engine.sched.Scheduler;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Applies a step's model output: fails the culprits of failed runs, samples the next token (or
 * scores P(yes) for a moderation category), applies stop rules and length limits, queues a
 * moderation request's remaining categories after its first, and turns finished requests into
 * results (detokenised text, scores, timings). Engine thread only.
 */
final class OutputProcessor {
    private final PromptEncoder prompts;
    private final ModelShape shape;
    private final Scheduler scheduler;
    private final RequestTable requests;
    private final EngineMetrics metrics;
    private final EngineCounters counters;
    private final LongSupplier nanoTime;

    OutputProcessor(
            PromptEncoder prompts,
            ModelShape shape,
            Scheduler scheduler,
            RequestTable requests,
            EngineMetrics metrics,
            EngineCounters counters,
            LongSupplier nanoTime) {
        this.prompts = prompts;
        this.shape = shape;
        this.scheduler = scheduler;
        this.requests = requests;
        this.metrics = metrics;
        this.counters = counters;
        this.nanoTime = nanoTime;
    }

    /**
     * Fails the requests whose runs failed, then applies every sampled row.
     *
     * @return the failed requests' ids (the step's culprits), in the order they failed
     */
    List<String> update(ModelRunnerOutput output) {
        List<String> culprits = new ArrayList<>();
        for (Map.Entry<String, ModelRunnerOutput.Failure> f : output.failures().entrySet()) {
            ActiveRequest req = requests.ownerOf(f.getValue().sequence());
            requests.abort(req, RequestState.FINISHED_FAILED, f.getValue().error());
            culprits.add(f.getKey());
        }
        for (ModelRunnerOutput.SampledRow row : output.sampled()) {
            if (row.sequence().state() == RequestState.RUNNING) {
                onLogits(row.sequence(), row.logits(), row.offset());
            }
        }
        return culprits;
    }

    private void onLogits(Sequence seq, float[] logits, int offset) {
        ActiveRequest req = requests.ownerOf(seq);
        long now = nanoTime.getAsLong();
        counters.generatedToken();
        metrics.tokens(1);
        if (req.request.task() == Task.MODERATION) {
            int child = req.sequences.indexOf(seq);
            req.probabilityYes[child] =
                    Sampler.probabilityYes(
                            logits, offset, prompts.yesTokenId(), prompts.noTokenId());
            seq.setFirstTokenNanos(now);
            requests.finish(seq, RequestState.FINISHED_SCORED);
            if (!req.siblingsQueued) {
                req.siblingsQueued = true;
                for (int i = 1; i < req.sequences.size(); i++) {
                    scheduler.addWaiting(req.sequences.get(i));
                }
            }
        } else {
            int token = sample(seq, logits, offset);
            if (seq.numOutputTokens() == 0 && seq.firstTokenNanos() == 0) {
                seq.setFirstTokenNanos(now);
                metrics.firstToken(now - req.submitNanos);
            } else {
                metrics.interTokenGap(now - req.lastTokenNanos);
            }
            req.lastTokenNanos = now;
            if (seq.isStopToken(token)) {
                requests.finish(seq, RequestState.FINISHED_STOPPED);
            } else {
                seq.appendOutputToken(token);
                // the model's own probability of the chosen token (temperature 1), from the logits
                // this step computed anyway: no extra model run
                req.addTokenProbability(
                        Sampler.probability(logits, offset, shape.vocabSize(), token));
                if (seq.numOutputTokens() >= seq.maxNewTokens()) {
                    requests.finish(seq, RequestState.FINISHED_LENGTH);
                }
            }
        }
        maybeComplete(req);
    }

    private int sample(Sequence seq, float[] logits, int offset) {
        SamplingParams p = seq.sampling();
        return p.isGreedy()
                ? Sampler.argmax(logits, offset, shape.vocabSize())
                : Sampler.sampleTopP(
                        logits, offset, shape.vocabSize(), p.temperature(), p.topP(), seq.rng());
    }

    private AnswerConfidence confidence(ActiveRequest req, List<Integer> tokens, String text) {
        if (req.numTokenProbabilities != tokens.size()) {
            throw new IllegalStateException(
                    "request "
                            + req.id()
                            + " has "
                            + tokens.size()
                            + " output tokens but "
                            + req.numTokenProbabilities
                            + " token probabilities");
        }
        return AnswerConfidence.of(
                text,
                prompts.tokenEnds(tokens, text),
                Arrays.copyOf(req.tokenProbabilities, req.numTokenProbabilities));
    }

    private void maybeComplete(ActiveRequest req) {
        if (req.done) {
            return;
        }
        for (Sequence s : req.sequences) {
            if (!s.state().isFinished()) {
                return;
            }
        }
        long now = nanoTime.getAsLong();
        Task task = req.request.task();
        Sequence first = req.sequences.get(0);
        int promptTokens = 0;
        int cached = 0;
        long lastFirstToken = 0;
        for (Sequence s : req.sequences) {
            promptTokens += s.promptLength();
            cached += s.numCachedTokens();
            lastFirstToken = Math.max(lastFirstToken, s.firstTokenNanos());
        }
        long queued = req.admittedNanos == 0 ? 0 : req.admittedNanos - req.submitNanos;
        EngineResult result;
        if (task == Task.MODERATION) {
            List<CategoryScore> scores = new ArrayList<>();
            for (int i = 0; i < req.categories.size(); i++) {
                double p = req.probabilityYes[i];
                scores.add(
                        new CategoryScore(
                                req.categories.get(i), p, p >= prompts.moderationThreshold()));
            }
            result =
                    new EngineResult(
                            req.id(),
                            task,
                            "",
                            List.of(),
                            scores,
                            FinishReason.SCORED,
                            promptTokens,
                            cached,
                            lastFirstToken - req.submitNanos,
                            now - req.submitNanos,
                            queued,
                            req.encodeNanos,
                            Optional.empty());
        } else {
            List<Integer> tokens = first.outputTokens();
            String text = prompts.decode(tokens);
            FinishReason reason =
                    first.state() == RequestState.FINISHED_STOPPED
                            ? FinishReason.STOP
                            : FinishReason.LENGTH;
            result =
                    new EngineResult(
                            req.id(),
                            task,
                            text,
                            tokens,
                            List.of(),
                            reason,
                            promptTokens,
                            cached,
                            first.firstTokenNanos() - req.submitNanos,
                            now - req.submitNanos,
                            queued,
                            req.encodeNanos,
                            Optional.of(confidence(req, tokens, text)));
        }
        requests.complete(req, result);
    }
}
