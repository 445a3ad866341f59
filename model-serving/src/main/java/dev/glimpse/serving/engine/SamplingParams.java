package dev.glimpse.serving.engine;

import java.util.OptionalInt;

/**
 * How the next token is chosen. Greedy (temperature 0) is the default and is deterministic;
 * temperature/top-p sampling is reproducible for a given seed whatever the batch composition,
 * because every request owns its random generator.
 *
 * @param temperature 0 for greedy; otherwise &gt; 0
 * @param topP nucleus mass in (0, 1]
 * @param seed seed of the request's random generator
 * @param maxNewTokens cap on generated tokens; empty = the task's default from the manifest
 */
public record SamplingParams(double temperature, double topP, long seed, OptionalInt maxNewTokens) {
    public static final SamplingParams GREEDY = new SamplingParams(0, 1, 0, OptionalInt.empty());

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be finite and >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (maxNewTokens.isPresent() && maxNewTokens.getAsInt() <= 0) {
            throw new IllegalArgumentException(
                    "maxNewTokens must be > 0, got " + maxNewTokens.getAsInt());
        }
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(0, 1, 0, OptionalInt.of(maxNewTokens));
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withMaxNewTokens(int n) {
        return new SamplingParams(temperature, topP, seed, OptionalInt.of(n));
    }
}
