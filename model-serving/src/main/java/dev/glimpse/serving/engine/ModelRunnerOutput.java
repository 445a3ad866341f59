package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the model runner computed in one step, for the output processor: the logits of every
 * sequence that reached a new position to sample, and the requests whose runs failed (the culprits,
 * after isolation). Filled by the runner, read by the processor, on the engine thread.
 */
final class ModelRunnerOutput {
    /**
     * Logits to sample for {@code sequence}: {@code [V]} at {@code offset} of {@code logits}.
     *
     * @param logits {@code [B, V]} of the run the sequence was a row of
     */
    record SampledRow(Sequence sequence, float[] logits, int offset) {}

    /** A failed run: {@code sequence} (one of the culprit request's) and the run's error. */
    record Failure(Sequence sequence, ExecutionFailedException error) {}

    private final List<SampledRow> sampled = new ArrayList<>();
    private final Map<String, Failure> failures = new LinkedHashMap<>(); // by request id

    void sampled(Sequence sequence, float[] logits, int offset) {
        sampled.add(new SampledRow(sequence, logits, offset));
    }

    /** The request of {@code sequence} fails with {@code error} (its first failure counts). */
    void fail(Sequence sequence, ExecutionFailedException error) {
        failures.putIfAbsent(sequence.requestId(), new Failure(sequence, error));
    }

    /** Whether the sequence's request already failed in this step (its other runs are skipped). */
    boolean hasFailed(Sequence sequence) {
        return failures.containsKey(sequence.requestId());
    }

    List<SampledRow> sampled() {
        return sampled;
    }

    /** Failed request id → its failure, in the order they failed. */
    Map<String, Failure> failures() {
        return failures;
    }
}
