package dev.glimpse.serving.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Test
    void greedyPicksTheLargestLogitAndTiesGoToTheLowestId() {
        assertThat(Sampler.argmax(new float[] {0.1f, 3f, -2f, 3f}, 0, 4)).isEqualTo(1);
        assertThat(Sampler.argmax(new float[] {5f, 5f}, 0, 2)).isZero();
        // offset selects the row of a [B, V] block
        assertThat(Sampler.argmax(new float[] {9f, 0f, 0f, 1f, 2f, 2f}, 3, 3)).isEqualTo(1);
    }

    @Test
    void probabilityIsTheSoftmaxOfTheRowAtTheChosenToken() {
        // row 1 of a [2, 3] block: logits ln 1, ln 2, ln 5 -> probabilities 0.125, 0.25, 0.625
        float[] logits = {100f, -100f, 0f, 0f, (float) Math.log(2), (float) Math.log(5) + 0f};
        assertThat(Sampler.probability(logits, 3, 3, 2)).isCloseTo(5.0 / 8, within(1e-7));
        assertThat(Sampler.probability(logits, 3, 3, 0)).isCloseTo(1.0 / 8, within(1e-7));
        // large logits (fp16 graphs reach the thousands) do not overflow: computed from the max
        assertThat(Sampler.probability(new float[] {3000f, 3000f}, 0, 2, 1)).isEqualTo(0.5);
    }

    @Test
    void topPWithTheSameSeedDrawsTheSameTokens() {
        float[] logits = {1f, 0.5f, 0.2f, 0.1f, -1f, 0.9f};
        List<Integer> first = draws(logits, 42);
        assertThat(draws(logits, 42)).isEqualTo(first);
        assertThat(draws(logits, 43)).isNotEqualTo(first);
        assertThat(first).allMatch(t -> t >= 0 && t < 6);
    }

    private static List<Integer> draws(float[] logits, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.add(Sampler.sampleTopP(logits, 0, logits.length, 1.0, 0.95, rng));
        }
        return out;
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        // probabilities 0.5, 0.3, 0.2: top-p 0.5 keeps only token 0
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 100; i++) {
            assertThat(Sampler.sampleTopP(logits, 0, 3, 1.0, 0.5, rng)).isZero();
        }
        // top-p 0.8 keeps tokens 0 and 1, never 2
        for (int i = 0; i < 200; i++) {
            assertThat(Sampler.sampleTopP(logits, 0, 3, 1.0, 0.8, rng)).isIn(0, 1);
        }
    }

    @Test
    void zeroTemperatureIsGreedy() {
        assertThat(
                        Sampler.sampleTopP(
                                new float[] {0f, 2f, 1f}, 0, 3, 0.0, 0.9, new SplittableRandom(1)))
                .isEqualTo(1);
    }

    @Test
    void probabilityYesIsTheSoftmaxOverYesAndNoOnly() {
        float[] logits = {5f, 2f, 0f, 100f};
        // yes = id 1 (2.0), no = id 2 (0.0); token 3's huge logit is ignored
        assertThat(Sampler.probabilityYes(logits, 0, 1, 2))
                .isCloseTo(0.8807970779778823, within(1e-15));
        assertThat(Sampler.probabilityYes(logits, 0, 2, 1))
                .isCloseTo(0.11920292202211755, within(1e-15));
        assertThat(Sampler.probabilityYes(new float[] {3f, 3f}, 0, 0, 1)).isEqualTo(0.5);
    }
}
