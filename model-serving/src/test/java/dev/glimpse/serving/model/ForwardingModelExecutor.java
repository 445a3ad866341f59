package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.ModelExecutor;
import dev.glimpse.serving.engine.ModelShape;
import dev.glimpse.serving.engine.kv.KvState;
import java.util.List;

/**
 * A {@link ModelExecutor} that hands every call to another one: tests that hold, fail or record a
 * run of the real executor extend it and override only the calls they intercept. Closing it closes
 * the delegate.
 */
abstract class ForwardingModelExecutor implements ModelExecutor {
    protected final ModelExecutor delegate;

    ForwardingModelExecutor(ModelExecutor delegate) {
        this.delegate = delegate;
    }

    @Override
    public ModelShape shape() {
        return delegate.shape();
    }

    @Override
    public String executionProvider() {
        return delegate.executionProvider();
    }

    @Override
    public List<float[]> encodeImages(List<EngineImage> images, List<String> requestIds) {
        return delegate.encodeImages(images, requestIds);
    }

    @Override
    public float[] embed(int[] tokenIds, List<String> requestIds) {
        return delegate.embed(tokenIds, requestIds);
    }

    @Override
    public float[] decode(
            KvState kv,
            float[] inputsEmbeds,
            int newTokens,
            List<String> requestIds,
            ExecutionStage stage) {
        return delegate.decode(kv, inputsEmbeds, newTokens, requestIds, stage);
    }

    @Override
    public long numLiveTensors() {
        return delegate.numLiveTensors();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
