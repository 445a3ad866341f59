package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.kv.DecodeBatchKv;
import dev.glimpse.serving.engine.kv.KvCopyCounter;
import dev.glimpse.serving.engine.kv.KvLayout;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.engine.kv.SequenceKv;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The ONNX Runtime executor on the bundled model: KV plumbing against full recomputation. */
class OrtModelExecutorITCase {
    private static ModelDirectory model;
    private static OrtModelExecutor executor;

    @BeforeAll
    static void open() throws Exception {
        model = ModelDirectory.open(BundledModel.dir());
        executor = model.newExecutor(ExecutorOptions.cpu());
    }

    @AfterAll
    static void close() {
        if (executor != null) {
            executor.close();
            model.close();
        }
    }

    private static float[] logitsOfFullRecompute(OrtModelExecutor executor, int[] tokens) {
        SequenceKv kv = new SequenceKv(executor.shape().kv(), tokens.length);
        float[] emb = executor.embed(tokens, List.of("ref"));
        return executor.decode(kv, emb, tokens.length, List.of("ref"), ExecutionStage.PREFILL);
    }

    /**
     * Each decoder graph of the model (concat: double buffer, left padding; GroupQueryAttention:
     * one shared buffer, right padding) against its own full recomputation.
     */
    @ParameterizedTest
    @MethodSource("dev.glimpse.serving.model.BundledModel#decoderStyles")
    void chunkedPrefillAndBatchedDecodeMatchFullRecomputation(KvStyle style) {
        try (OrtModelExecutor executor =
                model.newExecutor(ExecutorOptions.cpu().withDecoderStyle(style))) {
            assertThat(executor.shape().kv().style()).isEqualTo(style);
            chunkedPrefillAndBatchedDecodeMatchFullRecomputation(executor);
        }
    }

    private static void chunkedPrefillAndBatchedDecodeMatchFullRecomputation(
            OrtModelExecutor executor) {
        int[] a =
                model.tokenizer()
                        .encode(
                                "<|im_start|>user\nDescribe the image.<|im_end|>\n<|im_start|>assistant\n");
        int[] b =
                model.tokenizer()
                        .encode(
                                "<|im_start|>user\nRead the text in the image, please.<|im_end|>\n");
        int v = executor.shape().vocabSize();

        // a: prefill in two chunks, b: in one; then both decode one token together (b padded)
        SequenceKv ka = new SequenceKv(executor.shape().kv(), a.length);
        int cut = 5;
        executor.decode(
                ka,
                executor.embed(java.util.Arrays.copyOf(a, cut), List.of("a")),
                cut,
                List.of("a"),
                ExecutionStage.PREFILL);
        int[] rest = java.util.Arrays.copyOfRange(a, cut, a.length);
        float[] la =
                executor.decode(
                        ka,
                        executor.embed(rest, List.of("a")),
                        rest.length,
                        List.of("a"),
                        ExecutionStage.PREFILL);
        assertClose(la, 0, logitsOfFullRecompute(executor, a), 0, v);

        SequenceKv kb = new SequenceKv(executor.shape().kv(), b.length);
        executor.decode(
                kb,
                executor.embed(b, List.of("b")),
                b.length,
                List.of("b"),
                ExecutionStage.PREFILL);

        KvCopyCounter copies = new KvCopyCounter();
        DecodeBatchKv batch = new DecodeBatchKv(executor.shape().kv(), copies);
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", ka, 0),
                        new DecodeBatchKv.RowSource("b", kb, 0)),
                4);
        long afterJoin = copies.totalBytes();
        assertThat(afterJoin)
                .isEqualTo(executor.shape().kv().bytesPerToken() * (a.length + b.length));
        int[] next = {17, 23};
        float[] lab =
                executor.decode(
                        batch,
                        executor.embed(next, List.of("a", "b")),
                        1,
                        List.of("a", "b"),
                        ExecutionStage.DECODE);
        assertClose(lab, 0, logitsOfFullRecompute(executor, append(a, 17)), 0, v);
        assertClose(lab, v, logitsOfFullRecompute(executor, append(b, 23)), 0, v);

        // a plain step: same batch, no Java copy
        int[] next2 = {30, 31};
        float[] lab2 =
                executor.decode(
                        batch,
                        executor.embed(next2, List.of("a", "b")),
                        1,
                        List.of("a", "b"),
                        ExecutionStage.DECODE);
        assertThat(copies.totalBytes()).isEqualTo(afterJoin);
        assertClose(lab2, 0, logitsOfFullRecompute(executor, append(append(a, 17), 30)), 0, v);
        assertClose(lab2, v, logitsOfFullRecompute(executor, append(append(b, 23), 31)), 0, v);
        assertThat(executor.numLiveTensors()).isZero();
    }

    @Test
    void visionEncodesMixedSliceSizesInOneBatchLikeOneByOne() {
        EngineImage small = BundledModel.synthetic(1, 4, 0, 0);
        EngineImage sliced = BundledModel.synthetic(2, 6, 1, 2);
        List<float[]> together = executor.encodeImages(List.of(small, sliced), List.of("x", "y"));
        float[] alone = executor.encodeImages(List.of(small), List.of("x")).get(0);
        int qd = executor.shape().queryNum() * executor.shape().hiddenSize();
        assertThat(together.get(0)).hasSize(qd);
        assertThat(together.get(1)).hasSize(3 * qd);
        assertClose(together.get(0), 0, alone, 0, qd);
        assertThat(executor.numLiveTensors()).isZero();
    }

    @Test
    void decoderChoiceFollowsTheRequestThenTheModelDefaultAndPrefersConcatOnCuda() {
        var both =
                llm(
                        java.util.Map.of(
                                KvStyle.SHARED, "decoder.onnx",
                                KvStyle.CONCAT, "decoder-concat.onnx"));
        var gqaOnly = llm(java.util.Map.of(KvStyle.SHARED, "decoder.onnx"));
        assertThat(OrtModelExecutor.chooseDecoder(both, null, "cpu", false))
                .isEqualTo(KvStyle.SHARED);
        assertThat(OrtModelExecutor.chooseDecoder(both, null, "cuda", false))
                .isEqualTo(KvStyle.CONCAT);
        // ONNX Runtime's CUDA GroupQueryAttention takes a half-precision model's default graph
        assertThat(OrtModelExecutor.chooseDecoder(both, null, "cuda", true))
                .isEqualTo(KvStyle.SHARED);
        assertThat(OrtModelExecutor.chooseDecoder(gqaOnly, null, "cuda", false))
                .isEqualTo(KvStyle.SHARED);
        assertThat(OrtModelExecutor.chooseDecoder(both, KvStyle.SHARED, "cuda", false))
                .isEqualTo(KvStyle.SHARED);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> OrtModelExecutor.chooseDecoder(gqaOnly, KvStyle.CONCAT, "cpu", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the model has no concat decoder graph; it has [gqa]");
    }

    @Test
    void aKvStateOfTheOtherDecoderStyleIsRejectedBeforeRunning() {
        KvStyle other =
                executor.shape().kv().style() == KvStyle.SHARED ? KvStyle.CONCAT : KvStyle.SHARED;
        var l = executor.shape().kv();
        SequenceKv wrong =
                new SequenceKv(new KvLayout(l.numLayers(), l.kvHeads(), l.headDim(), other), 4);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                executor.decode(
                                        wrong,
                                        executor.embed(new int[] {1, 2}, List.of("x")),
                                        2,
                                        List.of("x"),
                                        ExecutionStage.PREFILL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "KV state laid out for a "
                                + other.manifestName()
                                + " decoder, this executor runs the "
                                + executor.shape().kv().style().manifestName()
                                + " one");
        assertThat(executor.numLiveTensors()).isZero();
    }

    @Test
    void runsOnTheCpuProviderHere() {
        assertThat(executor.executionProvider()).isEqualTo("cpu");
    }

    @Test
    void cudaRequestFallsBackToCpuWhenTheProviderIsMissing() {
        // the CPU jar has no CUDA provider: addCUDA throws, the executor warns and runs on CPU
        try (OrtModelExecutor auto = model.newExecutor(ExecutorOptions.auto())) {
            assertThat(auto.executionProvider()).isEqualTo("cpu");
            assertThat(auto.embed(new int[] {1, 2}, List.of("x")))
                    .hasSize(2 * auto.shape().hiddenSize());
        }
    }

    @Test
    void closedExecutorRejectsRunsAndClosesIdempotently() {
        OrtModelExecutor e = model.newExecutor(ExecutorOptions.cpu());
        e.close();
        e.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> e.embed(new int[] {1}, List.of("x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("executor is closed");
    }

    /** The bundled model's decoder dimensions, the GQA graph the default, with these graphs. */
    private static ModelManifest.Llm llm(java.util.Map<KvStyle, String> decoders) {
        return new ModelManifest.Llm(256, 4, 4, 2, 64, 393, 1024, KvStyle.SHARED, decoders);
    }

    private static int[] append(int[] a, int t) {
        int[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = t;
        return r;
    }

    private static void assertClose(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            assertThat((double) x[xo + i])
                    .as("index " + i)
                    .isCloseTo(y[yo + i], within(1e-4 * Math.max(1, Math.abs(y[yo + i]))));
        }
    }
}
