package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.encoder.EncoderCache;
import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sched.RequestState;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The vision side of a step: encoder cache lookups and batched vision runs. A failed run of several
 * images runs each image alone, so only the requests of an image that fails alone fail. Engine
 * thread only.
 */
final class VisualTokenProvider {
    /** Where a request whose image failed to encode is reported. */
    interface FailureSink {
        void fail(ActiveRequest request, ExecutionFailedException error);
    }

    private final EngineConfig config;
    private final ModelExecutor executor;
    private final EngineMetrics metrics;
    private final EngineCounters counters;
    private final LongSupplier nanoTime;
    private final EncoderCache encoderCache;

    VisualTokenProvider(
            EngineConfig config,
            ModelExecutor executor,
            EngineMetrics metrics,
            EngineCounters counters,
            LongSupplier nanoTime) {
        this.config = config;
        this.executor = executor;
        this.metrics = metrics;
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.encoderCache = new EncoderCache(config.encoderCacheBytes());
    }

    /**
     * Gives admitted sequences their image's visual tokens: from the request (moderation siblings),
     * the encoder cache, or vision runs batched over all missing images of the step.
     */
    void provide(List<Sequence> admitted, Map<String, ActiveRequest> owners, FailureSink failures) {
        Map<String, List<ActiveRequest>> missing = new LinkedHashMap<>();
        Map<String, EngineImage> images = new LinkedHashMap<>();
        int queries = 0;
        int hits = 0;
        for (Sequence seq : admitted) {
            ActiveRequest req = owners.get(seq.id());
            int[] vis = seq.visualPositions();
            if (seq.state() != RequestState.RUNNING
                    || vis.length == 0
                    || vis[vis.length - 1] < seq.numComputedTokens()) {
                continue; // no image, or the prefix cache covers all its rows
            }
            if (req.visualTokens != null) {
                seq.setVisualTokens(req.visualTokens);
                continue;
            }
            String hash = req.request.image().contentHash();
            if (missing.containsKey(hash)) {
                missing.get(hash).add(req);
                continue;
            }
            queries++;
            var cached = encoderCache.get(hash);
            if (cached.isPresent()) {
                hits++;
                req.visualTokens = cached.get();
                seq.setVisualTokens(cached.get());
            } else {
                missing.computeIfAbsent(hash, h -> new ArrayList<>()).add(req);
                images.put(hash, req.request.image());
            }
        }
        metrics.encoderCache(queries, hits);
        if (images.isEmpty()) {
            return;
        }
        // split into runs of at most maxImagesPerVisionRun images: very large batches were no
        // faster per image than small ones on the 2-core machines (docs/benchmarks.md)
        List<String> hashes = new ArrayList<>(images.keySet());
        for (int from = 0; from < hashes.size(); from += config.maxImagesPerVisionRun()) {
            List<String> chunk =
                    hashes.subList(
                            from, Math.min(hashes.size(), from + config.maxImagesPerVisionRun()));
            ExecutionFailedException error = encode(chunk, images, missing);
            if (error != null && chunk.size() > 1) {
                // find the culprit: each image alone
                for (String h : chunk) {
                    counters.isolationRun();
                    ExecutionFailedException alone = encode(List.of(h), images, missing);
                    if (alone != null) {
                        fail(alone, missing.get(h), failures);
                    }
                }
            } else if (error != null) {
                fail(error, missing.get(chunk.get(0)), failures);
            }
        }
        for (Sequence seq : admitted) {
            ActiveRequest req = owners.get(seq.id());
            if (seq.visualTokens() == null && req != null && req.visualTokens != null) {
                seq.setVisualTokens(req.visualTokens);
            }
        }
    }

    /** One vision run over {@code chunk}; null on success, else the run's error. */
    private ExecutionFailedException encode(
            List<String> chunk,
            Map<String, EngineImage> images,
            Map<String, List<ActiveRequest>> missing) {
        List<EngineImage> chunkImages = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String h : chunk) {
            chunkImages.add(images.get(h));
            missing.get(h).forEach(r -> ids.add(r.id()));
        }
        List<float[]> features;
        long t0 = nanoTime.getAsLong();
        try {
            features = executor.encodeImages(chunkImages, ids);
        } catch (ExecutionFailedException e) {
            return e;
        }
        long took = nanoTime.getAsLong() - t0;
        counters.visionRun(chunk.size(), took);
        for (int i = 0; i < chunk.size(); i++) {
            encoderCache.put(chunk.get(i), features.get(i));
            for (ActiveRequest r : missing.get(chunk.get(i))) {
                r.visualTokens = features.get(i);
                r.encodeNanos += took;
            }
        }
        return null;
    }

    private void fail(
            ExecutionFailedException error, List<ActiveRequest> requests, FailureSink failures) {
        metrics.error(error.stage().label());
        requests.forEach(r -> failures.fail(r, error));
    }

    EncoderCache encoderCache() {
        return encoderCache;
    }
}
