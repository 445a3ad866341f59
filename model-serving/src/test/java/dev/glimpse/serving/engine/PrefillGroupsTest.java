package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.kv.BlockHasher;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrefillGroupsTest {
    private static Sequence seq(String id, int promptLength) {
        int[] t = IntStream.range(100, 100 + promptLength).toArray();
        return new Sequence(
                id,
                id,
                t,
                new int[0],
                List.of(),
                BlockHasher.hashFullBlocks(t, t.length, 4, List.of()),
                4,
                Set.of(),
                SamplingParams.GREEDY);
    }

    private static List<List<String>> ids(List<List<Sequence>> groups) {
        return groups.stream().map(g -> g.stream().map(Sequence::id).toList()).toList();
    }

    private static final List<Sequence> FRESH =
            List.of(
                    seq("a58", 58),
                    seq("b80", 80),
                    seq("c58", 58),
                    seq("d64", 64),
                    seq("e300", 300),
                    seq("f58", 58));

    @Test
    void equalLengthsOnlyGroupEachLengthInArrivalOrderWithinTheTokenBound() {
        assertThat(ids(PrefillGroups.of(FRESH, 120, false)))
                .containsExactly(
                        List.of("a58", "c58"), // 2 x 58 <= 120
                        List.of("f58"),
                        List.of("b80"),
                        List.of("d64"),
                        List.of("e300"));
    }

    @Test
    void raggedGroupsGoLongestFirstAndTakeOnlyPromptsAtLeastThreeQuartersOfTheLongest() {
        // 300 alone (nothing is >= 225); 80 takes 64 and 58 is < 60; the 58s fill their own run
        assertThat(ids(PrefillGroups.of(FRESH, 512, true)))
                .containsExactly(
                        List.of("e300"), List.of("b80", "d64"), List.of("a58", "c58", "f58"));
    }

    @Test
    void raggedRunsCountRowsTimesTheLongestPromptAgainstTheBound() {
        assertThat(ids(PrefillGroups.of(FRESH, 160, true)))
                .containsExactly(
                        List.of("e300"),
                        List.of("b80", "d64"), // 2 x 80 = 160
                        List.of("a58", "c58"), // a third 58 would make 174
                        List.of("f58"));
    }
}
