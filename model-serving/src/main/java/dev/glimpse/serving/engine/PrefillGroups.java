package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a step's fresh prompts (computed whole, no past) into batched prefill runs of at most
 * {@code maxTokensPerRun} tokens, counted as rows x the run's longest prompt.
 *
 * <p>Equal lengths only (a concat decoder): one group per length, in arrival order. Ragged (a
 * shared-buffer decoder, which reads each row's length from the attention mask): longest first, and
 * a run takes a shorter prompt only while it is at least 3/4 of the run's longest, so padding costs
 * at most a third more work per row than the row itself. Stateless.
 */
final class PrefillGroups {
    private PrefillGroups() {}

    /** The groups, each non-empty; a group of one is a plain {@code B = 1} prefill. */
    static List<List<Sequence>> of(List<Sequence> fresh, int maxTokensPerRun, boolean ragged) {
        List<List<Sequence>> groups = new ArrayList<>();
        if (!ragged) {
            Map<Integer, List<Sequence>> byLength = new LinkedHashMap<>();
            for (Sequence s : fresh) {
                byLength.computeIfAbsent(s.promptLength(), k -> new ArrayList<>()).add(s);
            }
            for (List<Sequence> same : byLength.values()) {
                int rows = Math.max(1, maxTokensPerRun / same.get(0).promptLength());
                for (int from = 0; from < same.size(); from += rows) {
                    groups.add(
                            new ArrayList<>(
                                    same.subList(from, Math.min(same.size(), from + rows))));
                }
            }
            return groups;
        }
        List<Sequence> longestFirst = new ArrayList<>(fresh);
        longestFirst.sort(Comparator.comparingInt(Sequence::promptLength).reversed()); // stable
        List<Sequence> group = new ArrayList<>();
        int longest = 0;
        for (Sequence s : longestFirst) {
            int len = s.promptLength();
            boolean fits =
                    !group.isEmpty()
                            && (long) (group.size() + 1) * longest <= maxTokensPerRun
                            && 4L * len >= 3L * longest;
            if (!fits && !group.isEmpty()) {
                groups.add(group);
                group = new ArrayList<>();
            }
            if (group.isEmpty()) {
                longest = len;
            }
            group.add(s);
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }
}
