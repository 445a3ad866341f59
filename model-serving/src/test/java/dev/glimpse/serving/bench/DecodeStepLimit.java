package dev.glimpse.serving.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.model.ExecutorOptions;
import dev.glimpse.serving.model.ModelManifest;
import dev.glimpse.serving.model.OrtModelExecutor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * How close a decode step is to its limit: a decoder graph of the model run for one step at batch B
 * and past length S, next to the same step's matrix multiplications alone at the same shapes (a
 * graph with constant weights, pre-packed like the decoder's, written by {@code
 * training/experiments/make_step_matmuls.py} into a temporary file), both on ONNX Runtime with the
 * engine's session settings. Medians of timed runs after warm-up.
 */
final class DecodeStepLimit {
    private static final int WARMUP = 10;
    private static final int RUNS = 60;

    private DecodeStepLimit() {}

    /** Median milliseconds of {decoder step, its matmuls alone}; empty when Python is missing. */
    static Optional<double[]> measure(
            Path modelDir,
            ModelManifest manifest,
            ExecutorOptions options,
            KvStyle style,
            int b,
            int s)
            throws Exception {
        Path graph = Files.createTempFile("glimpse-step-matmuls", ".onnx");
        try {
            if (TrainingScripts.run("experiments/make_step_matmuls.py", graph.toString())
                    .isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(measure(modelDir, manifest, options, style, b, s, graph));
        } finally {
            Files.deleteIfExists(graph);
        }
    }

    private static double[] measure(
            Path modelDir,
            ModelManifest manifest,
            ExecutorOptions options,
            KvStyle style,
            int b,
            int s,
            Path graph)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ModelManifest.Llm llm = manifest.llm();
        SplittableRandom rng = new SplittableRandom(1);
        Map<String, OnnxTensor> step = new HashMap<>();
        Map<String, OnnxTensor> pinned = new HashMap<>();
        Map<String, OnnxTensor> matmuls = new HashMap<>();
        String file = llm.decoderFiles().get(style);
        try (OrtSession.SessionOptions so = OrtModelExecutor.baseOptions(options);
                OrtSession decoder = env.createSession(modelDir.resolve(file).toString(), so);
                OrtSession alone = env.createSession(graph.toString(), so)) {
            step.put("inputs_embeds", random(env, rng, b, 1, llm.hidden()));
            long[] mask = new long[b * (s + 1)];
            Arrays.fill(mask, 1);
            step.put(
                    "attention_mask",
                    OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {b, s + 1}));
            if (decoder.getInputNames().contains("position_ids")) {
                long[] pos = new long[b];
                Arrays.fill(pos, s);
                step.put(
                        "position_ids",
                        OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {b, 1}));
            }
            for (int l = 0; l < llm.layers(); l++) {
                for (String kv : new String[] {"key", "value"}) {
                    String past = "past_key_values." + l + "." + kv;
                    if (style == KvStyle.SHARED) {
                        // the engine's binding: one direct buffer with room for the new position,
                        // past and present over it; every run appends at position s again
                        FloatBuffer buf =
                                ByteBuffer.allocateDirect(
                                                4 * b * llm.kvHeads() * (s + 1) * llm.headDim())
                                        .order(ByteOrder.nativeOrder())
                                        .asFloatBuffer();
                        long[] dims = {b, llm.kvHeads(), s + 1, llm.headDim()};
                        step.put(past, OnnxTensor.createTensor(env, buf, dims));
                        pinned.put(
                                "present." + l + "." + kv, OnnxTensor.createTensor(env, buf, dims));
                    } else {
                        step.put(past, random(env, rng, b, llm.kvHeads(), s, llm.headDim()));
                    }
                }
            }
            for (Map.Entry<String, ai.onnxruntime.NodeInfo> in : alone.getInputInfo().entrySet()) {
                long[] shape =
                        ((ai.onnxruntime.TensorInfo) in.getValue().getInfo()).getShape().clone();
                String[] dims =
                        ((ai.onnxruntime.TensorInfo) in.getValue().getInfo()).getDimensionNames();
                for (int i = 0; i < shape.length; i++) {
                    if ("B".equals(dims[i])) {
                        shape[i] = b;
                    } else if ("S".equals(dims[i])) {
                        shape[i] = s + 1;
                    }
                }
                matmuls.put(in.getKey(), random(env, rng, shape));
            }
            return new double[] {median(decoder, step, pinned), median(alone, matmuls, Map.of())};
        } finally {
            step.values().forEach(OnnxTensor::close);
            pinned.values().forEach(OnnxTensor::close);
            matmuls.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor random(OrtEnvironment env, SplittableRandom rng, long... shape)
            throws OrtException {
        int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 0.2 - 0.1);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
    }

    private static double median(
            OrtSession session, Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> pinned)
            throws OrtException {
        double[] ms = new double[RUNS];
        for (int i = 0; i < WARMUP + RUNS; i++) {
            long t0 = System.nanoTime();
            try (OrtSession.Result r =
                    pinned.isEmpty()
                            ? session.run(inputs)
                            : session.run(inputs, Set.of("logits"), pinned)) {
                if (i >= WARMUP) {
                    ms[i - WARMUP] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms[RUNS / 2];
    }
}
