package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.BlockHash;
import dev.glimpse.serving.engine.kv.BlockHasher;
import dev.glimpse.serving.engine.kv.ImageSpan;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a submitted request into its sequences (prompt tokens, block hashes) and refuses, before it
 * is queued, a request that can never run: every sequence must fit the model's positions and the KV
 * pool, and request-supplied moderation categories must be few, short, non-blank and distinct
 * ({@link AdmissionReason}). Runs on the caller's thread; thread-safe (no mutable state).
 */
final class RequestAdmission {
    private final EngineConfig config;
    private final PromptEncoder prompts;
    private final ModelShape shape;

    RequestAdmission(EngineConfig config, PromptEncoder prompts, ModelShape shape) {
        this.config = config;
        this.prompts = prompts;
        this.shape = shape;
    }

    /**
     * @throws AdmissionException the request can never run, with the reason
     * @throws IllegalArgumentException the prompt encoder and the image disagree
     */
    ActiveRequest admit(EngineRequest request, long submitNanos, long ageNanos) {
        List<String> categories = List.of();
        List<Optional<String>> perSequence = new ArrayList<>();
        int maxNew;
        if (request.task() == Task.MODERATION) {
            if (request.categories().isEmpty()) {
                categories = prompts.moderationCategories();
            } else {
                checkCategories(request.id(), request.categories());
                categories = request.categories();
            }
            if (categories.isEmpty()) {
                throw new IllegalArgumentException(
                        "moderation request "
                                + request.id()
                                + " has no categories and the model defines none");
            }
            categories.forEach(c -> perSequence.add(Optional.of(c)));
            maxNew = 1;
        } else {
            perSequence.add(Optional.empty());
            maxNew =
                    request.sampling()
                            .maxNewTokens()
                            .orElse(prompts.defaultMaxNewTokens(request.task()));
        }
        Set<Integer> stops = new HashSet<>();
        if (!request.ignoreStopTokens()) {
            stops.addAll(prompts.stopTokenIds());
            stops.addAll(request.extraStopTokenIds());
        }
        List<Sequence> sequences = new ArrayList<>();
        for (int i = 0; i < perSequence.size(); i++) {
            String seqId = perSequence.size() == 1 ? request.id() : request.id() + "#" + i;
            Sequence seq = sequence(request, seqId, perSequence.get(i), maxNew, stops);
            checkFits(request.id(), seq, perSequence.get(i));
            sequences.add(seq);
        }
        return new ActiveRequest(request, submitNanos, ageNanos, sequences, categories);
    }

    private void checkCategories(String id, List<String> categories) {
        if (categories.size() > config.maxCategories()) {
            throw new AdmissionException(
                    id,
                    AdmissionReason.TOO_MANY_CATEGORIES,
                    categories.size()
                            + " moderation categories, at most "
                            + config.maxCategories()
                            + " are allowed");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < categories.size(); i++) {
            String c = categories.get(i);
            if (c.isBlank()) {
                throw new AdmissionException(
                        id,
                        AdmissionReason.BLANK_CATEGORY,
                        "moderation category " + i + " is blank");
            }
            if (c.length() > config.maxCategoryChars()) {
                throw new AdmissionException(
                        id,
                        AdmissionReason.CATEGORY_TOO_LONG,
                        "moderation category "
                                + i
                                + " has "
                                + c.length()
                                + " characters, at most "
                                + config.maxCategoryChars()
                                + " are allowed");
            }
            if (!seen.add(c)) {
                throw new AdmissionException(
                        id,
                        AdmissionReason.DUPLICATE_CATEGORY,
                        "moderation category \"" + c + "\" appears more than once");
            }
        }
    }

    private Sequence sequence(
            EngineRequest request,
            String seqId,
            Optional<String> category,
            int maxNew,
            Set<Integer> stops) {
        EncodedPrompt p =
                prompts.encode(request.task(), request.question(), category, request.image());
        int expectedRows = request.image().slices().size() * shape.queryNum();
        int[] vis = p.visualPositions();
        if (vis.length != expectedRows) {
            throw new IllegalArgumentException(
                    "prompt of "
                            + request.id()
                            + " has "
                            + vis.length
                            + " image placeholder tokens, the image needs "
                            + expectedRows);
        }
        List<ImageSpan> spans =
                vis.length == 0
                        ? List.of()
                        : List.of(
                                new ImageSpan(
                                        vis[0],
                                        vis[vis.length - 1] + 1,
                                        request.image().contentHash()));
        List<BlockHash> hashes =
                config.prefixCaching()
                        ? BlockHasher.hashFullBlocks(
                                p.tokenIds(), p.tokenIds().length, config.blockSize(), spans)
                        : List.of();
        return new Sequence(
                seqId,
                request.id(),
                p.tokenIds(),
                vis,
                spans,
                hashes,
                maxNew,
                stops,
                request.sampling());
    }

    /** Every token a sequence may hold must have a position in the model and room in the pool. */
    private void checkFits(String id, Sequence seq, Optional<String> category) {
        String what =
                "prompt of "
                        + seq.promptLength()
                        + " tokens"
                        + category.map(c -> " (category \"" + c + "\")").orElse("")
                        + " + maxNewTokens "
                        + seq.maxNewTokens()
                        + " = "
                        + seq.maxTotalTokens()
                        + " tokens";
        if (seq.maxTotalTokens() > shape.maxPositions()) {
            throw new AdmissionException(
                    id,
                    AdmissionReason.PROMPT_TOO_LONG,
                    what + ", the model has " + shape.maxPositions() + " positions");
        }
        long pool = (long) config.numKvBlocks() * config.blockSize();
        if (seq.maxTotalTokens() > pool) {
            throw new AdmissionException(
                    id,
                    AdmissionReason.EXCEEDS_KV_CAPACITY,
                    what + ", the KV pool holds " + pool + " tokens");
        }
    }
}
