package dev.glimpse.serving.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Prompt double: [instruction 12 tokens][IMG_START][UNK x (slices*Q)][IMG_END][question][END]. The
 * instruction precedes the image, so moderation categories share the prefix.
 */
class FakePrompts implements PromptEncoder {
    static final int STOP = 1;
    static final int UNK = 3;
    static final int IMG_START = 4;
    static final int IMG_END = 5;
    static final int YES = 40;
    static final int NO = 41;

    static EngineImage image(String hash, float content, int gridRows, int gridCols) {
        List<ImageSlice> slices = new ArrayList<>();
        for (int i = 0; i < 1 + gridRows * gridCols; i++) {
            float[] px = new float[3 * 14 * 14];
            px[0] = content;
            slices.add(new ImageSlice(px, 1, 1));
        }
        return new EngineImage(hash, slices, gridRows, gridCols);
    }

    @Override
    public EncodedPrompt encode(
            Task task, Optional<String> question, Optional<String> category, EngineImage image) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(10 + i);
        }
        ids.add(IMG_START);
        List<Integer> vis = new ArrayList<>();
        for (int i = 0; i < image.slices().size() * FakeModelExecutor.Q; i++) {
            vis.add(ids.size());
            ids.add(UNK);
        }
        ids.add(IMG_END);
        String q = category.map(c -> "cat " + c).orElse(question.orElse(task.name()));
        for (char c : q.toCharArray()) {
            ids.add(30 + (c % 9));
        }
        ids.add(2);
        return new EncodedPrompt(
                ids.stream().mapToInt(Integer::intValue).toArray(),
                vis.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String decode(List<Integer> tokenIds) {
        StringBuilder sb = new StringBuilder();
        for (int t : tokenIds) {
            sb.append(sb.length() == 0 ? "" : " ").append(t);
        }
        return sb.toString();
    }

    @Override
    public int defaultMaxNewTokens(Task task) {
        return 8;
    }

    @Override
    public Set<Integer> stopTokenIds() {
        return Set.of(STOP);
    }

    @Override
    public int yesTokenId() {
        return YES;
    }

    @Override
    public int noTokenId() {
        return NO;
    }

    @Override
    public List<String> moderationCategories() {
        return List.of("violence", "weapons", "nudity");
    }

    @Override
    public double moderationThreshold() {
        return 0.5;
    }
}
