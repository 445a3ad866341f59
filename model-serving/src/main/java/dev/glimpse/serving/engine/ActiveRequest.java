package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.sched.Sequence;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A submitted request and its sequences (one, or one per moderation category). */
final class ActiveRequest {
    final EngineRequest request;
    final CompletableFuture<EngineResult> future = new CompletableFuture<>();
    final long submitNanos;
    final long deadlineNanos; // Long.MAX_VALUE when none
    final long staleNanos; // not started by then: skipped (freshness deadline); MAX_VALUE when none
    final List<Sequence> sequences;
    final List<String> categories; // moderation: one per sequence, same order
    final double[] probabilityYes; // moderation: filled as sequences finish
    double[] tokenProbabilities = new double[16]; // caption/OCR: of each appended output token
    int numTokenProbabilities;
    float[] visualTokens; // [(1 + slices) * Q, D], shared by the request's sequences
    boolean started; // a sequence was admitted: no longer counts against the admission queue
    boolean siblingsQueued; // moderation: categories after the first were handed to the scheduler
    boolean done;
    long lastTokenNanos;
    long admittedNanos; // first sequence admitted (end of the queue wait); 0 until then
    long encodeNanos; // vision run this request waited for (0: encoder or prefix cache, or no run)

    /**
     * @param ageNanos the request's age at submit (from its event time; 0 without one)
     */
    ActiveRequest(
            EngineRequest request,
            long submitNanos,
            long ageNanos,
            List<Sequence> sequences,
            List<String> categories) {
        this.request = request;
        this.submitNanos = submitNanos;
        this.deadlineNanos =
                request.timeout().map(t -> submitNanos + t.toNanos()).orElse(Long.MAX_VALUE);
        this.staleNanos =
                request.deadline()
                        .map(d -> submitNanos + d.toNanos() - ageNanos)
                        .orElse(Long.MAX_VALUE);
        this.sequences = List.copyOf(sequences);
        this.categories = List.copyOf(categories);
        this.probabilityYes = new double[sequences.size()];
    }

    /** Records the probability of the output token just appended (caption and OCR). */
    void addTokenProbability(double p) {
        if (numTokenProbabilities == tokenProbabilities.length) {
            tokenProbabilities =
                    java.util.Arrays.copyOf(tokenProbabilities, 2 * tokenProbabilities.length);
        }
        tokenProbabilities[numTokenProbabilities++] = p;
    }

    String id() {
        return request.id();
    }
}
