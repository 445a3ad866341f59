package dev.glimpse.serving.engine.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses tokens from logits. Pure functions; the random generator belongs to the caller (one per
 * request, so a seeded request draws the same tokens whatever else shares its batch).
 */
public final class Sampler {
    private Sampler() {}

    /**
     * Index of the largest logit in {@code logits[offset, offset+vocab)}; ties go to the lowest id.
     */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int v = 1; v < vocab; v++) {
            float x = logits[offset + v];
            if (x > bestValue) { // strict: an equal later logit never wins
                bestValue = x;
                best = v;
            }
        }
        return best;
    }

    /**
     * Temperature + nucleus (top-p) sampling: softmax(logits / T), keep the most probable tokens
     * (ties by lower id) until their mass reaches {@code topP}, renormalise, draw one.
     */
    public static int sampleTopP(
            float[] logits,
            int offset,
            int vocab,
            double temperature,
            double topP,
            SplittableRandom rng) {
        if (temperature <= 0) {
            return argmax(logits, offset, vocab);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v] / temperature);
        }
        double[] p = new double[vocab];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            p[v] = Math.exp(logits[offset + v] / temperature - max);
            sum += p[v];
        }
        Integer[] order = new Integer[vocab];
        for (int v = 0; v < vocab; v++) {
            order[v] = v;
            p[v] /= sum;
        }
        Arrays.sort(
                order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        double mass = 0;
        int keep = 0;
        while (keep < vocab) {
            mass += p[order[keep]];
            keep++;
            if (mass >= topP) {
                break;
            }
        }
        double u = rng.nextDouble() * mass;
        double acc = 0;
        for (int k = 0; k < keep; k++) {
            acc += p[order[k]];
            if (u < acc) {
                return order[k];
            }
        }
        return order[keep - 1];
    }

    /**
     * The model's probability of {@code token}: softmax of {@code logits[offset, offset+vocab)} at
     * temperature 1 (whatever temperature the sampler used), computed in double whatever the
     * graph's element type. One pass for the maximum, one for the sum: no allocation.
     */
    public static double probability(float[] logits, int offset, int vocab, int token) {
        if (token < 0 || token >= vocab) {
            throw new IllegalArgumentException("token must be in [0, " + vocab + "), was " + token);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return Math.exp(logits[offset + token] - max) / sum;
    }

    /**
     * P(yes) = softmax over the two logits {yes, no} (Llama Guard / ShieldGemma scoring), computed
     * as the logistic of their difference for numerical stability.
     */
    public static double probabilityYes(float[] logits, int offset, int yesTokenId, int noTokenId) {
        double yes = logits[offset + yesTokenId];
        double no = logits[offset + noTokenId];
        return 1.0 / (1.0 + Math.exp(no - yes));
    }
}
