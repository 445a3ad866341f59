package dev.glimpse.operators.analyze;

import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import java.util.concurrent.CompletableFuture;

/**
 * The part of an inference engine that {@link Analyze} uses: a seam, so that the operator's
 * retries, deadlines and failure mapping are tested against a fake engine. The production
 * implementation is {@link InferenceEngine#submit}.
 *
 * <p>Thread-safe: called from the task thread and from Analyze's retry thread.
 */
@FunctionalInterface
public interface AnalysisEngine {

    /**
     * Queues a request; the future completes with the result or exceptionally (an {@code
     * EngineException} or {@link IllegalArgumentException}). May also throw those at once.
     */
    CompletableFuture<EngineResult> submit(EngineRequest request);
}
