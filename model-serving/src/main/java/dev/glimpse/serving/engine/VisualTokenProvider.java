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

/** The vision side of a step: encoder cache lookups and batched vision runs. Engine thread only. */
final class VisualTokenProvider {
    /** Fails a request (the engine core's abort). */
    interface Aborter {
        void abort(ActiveRequest request, RequestState state, Throwable error);
    }

    private final EngineConfig config;
    private final ModelExecutor executor;
    private final EngineMetrics metrics;
    private final LongSupplier nanoTime;
    private final EncoderCache encoderCache;
    private volatile long numVisionRuns;
    private volatile long numImagesEncoded;
    private volatile long visionNanos;

    VisualTokenProvider(
            EngineConfig config,
            ModelExecutor executor,
            EngineMetrics metrics,
            LongSupplier nanoTime) {
        this.config = config;
        this.executor = executor;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.encoderCache = new EncoderCache(config.encoderCacheBytes());
    }

    /**
     * Gives admitted sequences their image's visual tokens: from the request (moderation siblings),
     * the encoder cache, or vision runs batched over all missing images of the step.
     */
    void provide(List<Sequence> admitted, Map<String, ActiveRequest> owners, Aborter aborter) {
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
                long took = nanoTime.getAsLong() - t0;
                visionNanos += took;
                for (String h : chunk) {
                    missing.get(h).forEach(r -> r.encodeNanos += took);
                }
            } catch (ExecutionFailedException e) {
                metrics.error(e.stage().label());
                for (String h : chunk) {
                    missing.get(h).forEach(r -> aborter.abort(r, RequestState.FINISHED_FAILED, e));
                }
                continue;
            }
            numVisionRuns++;
            numImagesEncoded += chunk.size();
            for (int i = 0; i < chunk.size(); i++) {
                encoderCache.put(chunk.get(i), features.get(i));
                for (ActiveRequest r : missing.get(chunk.get(i))) {
                    r.visualTokens = features.get(i);
                }
            }
        }
        for (Sequence seq : admitted) {
            ActiveRequest req = owners.get(seq.id());
            if (seq.visualTokens() == null && req != null && req.visualTokens != null) {
                seq.setVisualTokens(req.visualTokens);
            }
        }
    }

    EncoderCache encoderCache() {
        return encoderCache;
    }

    long numVisionRuns() {
        return numVisionRuns;
    }

    long numImagesEncoded() {
        return numImagesEncoded;
    }

    long visionNanos() {
        return visionNanos;
    }
}
