package dev.glimpse.serving.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One image and what to do with it. Build with {@link #builder(String, EngineImage, Task)}.
 *
 * @param id caller's id, echoed in results and errors
 * @param image the preprocessed image
 * @param task caption, OCR or moderation
 * @param question replaces the task's default question (caption/OCR); empty = manifest default
 * @param categories moderation categories; empty = the manifest's categories. Blank, duplicate, too
 *     many or too long categories are refused by {@code submit} ({@link AdmissionException})
 * @param sampling sampling parameters
 * @param extraStopTokenIds stop tokens in addition to the manifest's
 * @param timeout deadline measured from {@code submit}; empty = none
 * @param ignoreStopTokens generate exactly {@code maxNewTokens} tokens (benchmarks, like vLLM's
 *     {@code ignore_eos})
 * @param priority lower is more urgent (0 first); the scheduler admits the most urgent waiting
 *     request first, within a starvation bound ({@link EngineConfig#oldestFirstEvery()})
 * @param eventTime when what the image shows happened (the event's time); the request's age is
 *     measured from it; empty = from {@code submit}
 * @param deadline freshness: a request older than this (from {@code eventTime}) that has not
 *     started is skipped, never analysed late: its future fails with {@link StaleRequestException}.
 *     Once started it runs to the end. Empty = it waits however long
 */
public record EngineRequest(
        String id,
        EngineImage image,
        Task task,
        Optional<String> question,
        List<String> categories,
        SamplingParams sampling,
        Set<Integer> extraStopTokenIds,
        Optional<Duration> timeout,
        boolean ignoreStopTokens,
        int priority,
        Optional<Instant> eventTime,
        Optional<Duration> deadline) {

    public EngineRequest {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id must be non-empty");
        }
        if (image == null || task == null || sampling == null) {
            throw new IllegalArgumentException("image, task and sampling must be non-null");
        }
        categories = List.copyOf(categories);
        if (task != Task.MODERATION && !categories.isEmpty()) {
            throw new IllegalArgumentException(
                    "categories are only valid for MODERATION, got " + task);
        }
        if (task == Task.MODERATION && question.isPresent()) {
            throw new IllegalArgumentException(
                    "question is not valid for MODERATION: the per-category question is fixed");
        }
        extraStopTokenIds = Set.copyOf(extraStopTokenIds);
        if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
            throw new IllegalArgumentException("timeout must be > 0, got " + timeout.get());
        }
        if (deadline.isPresent() && (deadline.get().isNegative() || deadline.get().isZero())) {
            throw new IllegalArgumentException("deadline must be > 0, got " + deadline.get());
        }
        if (eventTime == null) {
            throw new IllegalArgumentException("eventTime must be non-null (empty = submit time)");
        }
    }

    public static Builder builder(String id, EngineImage image, Task task) {
        return new Builder(id, image, task);
    }

    /** Builder with greedy sampling, no timeout, priority 0, no deadline, manifest defaults. */
    public static final class Builder {
        private final String id;
        private final EngineImage image;
        private final Task task;
        private Optional<String> question = Optional.empty();
        private final List<String> categories = new ArrayList<>();
        private SamplingParams sampling = SamplingParams.GREEDY;
        private final Set<Integer> stops = new LinkedHashSet<>();
        private Optional<Duration> timeout = Optional.empty();
        private boolean ignoreStopTokens;
        private int priority;
        private Optional<Instant> eventTime = Optional.empty();
        private Optional<Duration> deadline = Optional.empty();

        private Builder(String id, EngineImage image, Task task) {
            this.id = id;
            this.image = image;
            this.task = task;
        }

        public Builder question(String q) {
            this.question = Optional.of(q);
            return this;
        }

        public Builder categories(List<String> c) {
            categories.clear();
            categories.addAll(c);
            return this;
        }

        public Builder sampling(SamplingParams s) {
            this.sampling = s;
            return this;
        }

        public Builder maxNewTokens(int n) {
            this.sampling = sampling.withMaxNewTokens(n);
            return this;
        }

        public Builder extraStopTokenId(int tokenId) {
            stops.add(tokenId);
            return this;
        }

        public Builder timeout(Duration t) {
            this.timeout = Optional.of(t);
            return this;
        }

        public Builder ignoreStopTokens(boolean ignore) {
            this.ignoreStopTokens = ignore;
            return this;
        }

        public Builder priority(int p) {
            this.priority = p;
            return this;
        }

        public Builder eventTime(Instant t) {
            this.eventTime = Optional.of(t);
            return this;
        }

        public Builder deadline(Duration d) {
            this.deadline = Optional.of(d);
            return this;
        }

        public EngineRequest build() {
            return new EngineRequest(
                    id,
                    image,
                    task,
                    question,
                    categories,
                    sampling,
                    stops,
                    timeout,
                    ignoreStopTokens,
                    priority,
                    eventTime,
                    deadline);
        }
    }
}
