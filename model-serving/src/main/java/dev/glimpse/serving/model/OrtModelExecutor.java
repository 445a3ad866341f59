package dev.glimpse.serving.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.ExecutionFailedException;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.ImageSlice;
import dev.glimpse.serving.engine.ModelExecutor;
import dev.glimpse.serving.engine.ModelShape;
import dev.glimpse.serving.engine.kv.ElementType;
import dev.glimpse.serving.engine.kv.KvLayout;
import dev.glimpse.serving.engine.kv.KvState;
import dev.glimpse.serving.engine.kv.KvStyle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three graphs of a model directory on ONNX Runtime: {@code vision.onnx}, {@code embed.onnx},
 * {@code decoder.onnx} (docs/design.md §3). The only class that touches {@code OrtSession}. Every
 * tensor and result it creates is closed before the call returns ({@link #numLiveTensors} counts
 * the ones open); an {@link OrtException} leaves as {@link ExecutionFailedException} with the stage
 * and request ids.
 *
 * <p>KV ({@link dev.glimpse.serving.engine.kv.KvState}): past tensors wrap the caller's direct
 * buffers (no copy). With a concat-style decoder the {@code present.*} outputs are pinned into the
 * other half of the double buffer, so feeding present back as the next past costs no Java copy, and
 * past and present never alias (the concat graph would compute garbage). With a GroupQueryAttention
 * decoder ({@code "decoderStyle": "gqa"}) present is pinned over the past's own buffer and the
 * graph appends in place.
 *
 * <p>Element types come from the graphs, not from settings: pixels, visual tokens, embeddings,
 * logits and KV may each be float32, float16 or bfloat16 ({@link GraphTypes}). The engine computes
 * in float32; activations are converted at the boundary ({@link HalfFloats}, round to nearest
 * even), and the KV cache is kept in the graph's own type (its buffers sized by element bytes), so
 * a half-precision KV cache costs half the memory and is never converted. Engine thread only.
 */
public final class OrtModelExecutor implements ModelExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(OrtModelExecutor.class);
    private static final long MAX_EMBEDDING_CACHE_BYTES = 64L << 20;

    private final OrtEnvironment env;
    private final OrtSession vision;
    private final OrtSession embed;
    private final OrtSession decoder;
    private final ModelShape shape;
    private final String provider;
    private final boolean visionTakesPatchMask;
    private final boolean decoderTakesPositions;
    private final KvStyle decoderStyle;
    private final GraphTypes types;
    private final AtomicLong liveTensors = new AtomicLong();
    private final String[] pastNames; // [2 * layers]
    private final String[] presentNames; // [2 * layers]
    private final LogitsBuffer logitsMemory = new LogitsBuffer(16 << 20);
    private final EmbeddingRows embeddingRows; // null when V * D is too large to keep
    private boolean closed;

    public OrtModelExecutor(Path modelDir, ModelManifest manifest, ExecutorOptions options) {
        ModelManifest.Llm llm = manifest.llm();
        this.env = OrtEnvironment.getEnvironment();
        int n = 2 * llm.layers();
        pastNames = new String[n];
        presentNames = new String[n];
        for (int l = 0; l < llm.layers(); l++) {
            pastNames[2 * l] = "past_key_values." + l + ".key";
            pastNames[2 * l + 1] = "past_key_values." + l + ".value";
            presentNames[2 * l] = "present." + l + ".key";
            presentNames[2 * l + 1] = "present." + l + ".value";
        }
        String[] chosen = new String[1];
        List<OrtSession> opened = new ArrayList<>();
        try {
            opened.add(open(modelDir.resolve("vision.onnx"), options, chosen));
            opened.add(open(modelDir.resolve("embed.onnx"), options, chosen));
            boolean half = GraphTypes.halfPrecisionEmbeddings(opened.get(1));
            this.decoderStyle = chooseDecoder(llm, options.decoderStyle(), chosen[0], half);
            opened.add(
                    open(modelDir.resolve(llm.decoderFiles().get(decoderStyle)), options, chosen));
            this.vision = opened.get(0);
            this.embed = opened.get(1);
            this.decoder = opened.get(2);
            this.visionTakesPatchMask = vision.getInputNames().contains("patch_attention_mask");
            // a GroupQueryAttention graph derives positions from the rows' lengths
            this.decoderTakesPositions = decoder.getInputNames().contains("position_ids");
            this.types = GraphTypes.read(vision, embed, decoder, pastNames, presentNames);
            for (String p : presentNames) {
                if (!decoder.getOutputNames().contains(p)) {
                    throw new IllegalArgumentException(
                            llm.decoderFiles().get(decoderStyle)
                                    + " has no output "
                                    + p
                                    + "; outputs are "
                                    + decoder.getOutputNames());
                }
            }
        } catch (OrtException e) {
            opened.forEach(OrtModelExecutor::closeQuietly);
            throw new IllegalStateException(
                    "cannot load model from " + modelDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            opened.forEach(OrtModelExecutor::closeQuietly);
            throw e;
        }
        this.provider = chosen[0];
        this.shape =
                new ModelShape(
                        llm.hidden(),
                        llm.vocab(),
                        manifest.vision().queryNum(),
                        new KvLayout(
                                llm.layers(),
                                llm.kvHeads(),
                                llm.headDim(),
                                decoderStyle,
                                types.kv()),
                        llm.maxPositions());
        this.embeddingRows =
                (long) llm.vocab() * llm.hidden() * 4 <= MAX_EMBEDDING_CACHE_BYTES
                        ? new EmbeddingRows(llm.vocab(), llm.hidden())
                        : null;
        LOG.info(
                "model {} {} loaded from {} on {}, {} decoder, {}",
                manifest.name(),
                manifest.version(),
                modelDir,
                provider,
                decoderStyle.manifestName(),
                types);
    }

    /**
     * The decoder graph to run: {@code requested}, else the model's default, except on CUDA, where
     * ONNX Runtime's GroupQueryAttention has float16/bfloat16 kernels only (a float32 one would run
     * on the CPU between GPU nodes), so a float32 model's concat graph is preferred when it has
     * one; a half-precision model keeps its default.
     */
    static KvStyle chooseDecoder(
            ModelManifest.Llm llm, KvStyle requested, String provider, boolean halfPrecision) {
        if (requested != null) {
            if (!llm.decoderFiles().containsKey(requested)) {
                throw new IllegalArgumentException(
                        "the model has no "
                                + requested.manifestName()
                                + " decoder graph; it has "
                                + llm.decoderStyleNames());
            }
            return requested;
        }
        if ("cuda".equals(provider)
                && !halfPrecision
                && llm.decoderStyle() == KvStyle.SHARED
                && llm.decoderFiles().containsKey(KvStyle.CONCAT)) {
            return KvStyle.CONCAT;
        }
        return llm.decoderStyle();
    }

    private OrtSession open(Path file, ExecutorOptions options, String[] chosen)
            throws OrtException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file missing: " + file);
        }
        OrtSession.SessionOptions so = baseOptions(options);
        String p = "cpu";
        if (options.tryCuda()) {
            try {
                so.addCUDA(options.cudaDeviceId());
                p = "cuda";
            } catch (OrtException e) {
                LOG.warn(
                        "CUDA execution provider unavailable ({}); running {} on CPU",
                        e.getMessage(),
                        file.getFileName());
                so.close();
                so = baseOptions(options);
            }
        }
        try {
            OrtSession s = env.createSession(file.toString(), so);
            chosen[0] = chosen[0] == null || chosen[0].equals(p) ? p : "mixed";
            return s;
        } finally {
            so.close();
        }
    }

    /**
     * The CPU session settings every graph of the engine runs with ({@code options}' intra-op
     * threads, one inter-op thread, no spin-waiting), for tools that must time ONNX Runtime the way
     * the engine runs it. The caller closes the returned options.
     */
    public static OrtSession.SessionOptions baseOptions(ExecutorOptions options)
            throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(options.intraOpThreads());
        so.setInterOpNumThreads(1);
        // spin-waiting threads fight each other on small shared machines (docs/toolchain.md §12)
        so.addConfigEntry("session.intra_op.allow_spinning", "0");
        so.addConfigEntry("session.inter_op.allow_spinning", "0");
        return so;
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public String executionProvider() {
        return provider;
    }

    /** The element types read from the graphs. */
    public GraphTypes types() {
        return types;
    }

    @Override
    public long numLiveTensors() {
        return liveTensors.get();
    }

    @Override
    public List<float[]> encodeImages(List<EngineImage> images, List<String> requestIds) {
        checkOpen();
        int q = shape.queryNum();
        int d = shape.hiddenSize();
        VisionBatch batch = new VisionBatch(images);
        int nSlices = batch.numSlices;
        int lmax = batch.maxPatches;
        int p = ImageSlice.PATCH;
        try (RunScope scope = new RunScope(env, liveTensors)) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put(
                    "pixel_values",
                    scope.values(batch.pixels, types.pixels(), nSlices, 3, p, (long) lmax * p));
            in.put("tgt_sizes", scope.longs(batch.tgtSizes, nSlices, 2));
            if (visionTakesPatchMask) {
                in.put("patch_attention_mask", scope.longs(batch.mask, nSlices, lmax));
            }
            float[] features; // image_features [N, Q, D]
            try (OrtSession.Result r = vision.run(in)) {
                features = RunScope.floatsOf(r.get(0), types.visualTokens());
            }
            return batch.perImage(features, images, q * d);
        } catch (OrtException e) {
            throw new ExecutionFailedException(
                    ExecutionStage.VISION, requestIds, e.getMessage(), e);
        }
    }

    @Override
    public float[] embed(int[] tokenIds, List<String> requestIds) {
        checkOpen();
        return embeddingRows == null
                ? runEmbed(tokenIds, requestIds)
                : embeddingRows.embed(tokenIds, missing -> runEmbed(missing, requestIds));
    }

    private float[] runEmbed(int[] tokenIds, List<String> requestIds) {
        long[] ids = new long[tokenIds.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenIds[i];
        }
        try (RunScope scope = new RunScope(env, liveTensors)) {
            Map<String, OnnxTensor> in = Map.of("input_ids", scope.longs(ids, 1, ids.length));
            try (OrtSession.Result r = embed.run(in)) {
                return RunScope.floatsOf(r.get(0), types.embeddings()); // inputs_embeds [1, T, D]
            }
        } catch (OrtException e) {
            throw new ExecutionFailedException(ExecutionStage.EMBED, requestIds, e.getMessage(), e);
        }
    }

    @Override
    public float[] decode(
            KvState kv,
            float[] inputsEmbeds,
            int newTokens,
            List<String> requestIds,
            ExecutionStage stage) {
        checkOpen();
        kv.requireStyle(decoderStyle); // the other style's binding runs and computes garbage
        int b = kv.batchSize();
        int s = kv.pastLength();
        int pastDim = kv.pastDim();
        int presentDim = kv.presentDim(newTokens);
        KvLayout layout = shape.kv();
        int d = shape.hiddenSize();
        int v = shape.vocabSize();
        if (inputsEmbeds.length != b * newTokens * d) {
            throw new IllegalArgumentException(
                    "inputsEmbeds must hold B*T*D = "
                            + (b * newTokens * d)
                            + " floats, got "
                            + inputsEmbeds.length);
        }
        float[] logits;
        try (RunScope scope = new RunScope(env, liveTensors)) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put(
                    "inputs_embeds",
                    scope.values(inputsEmbeds, types.decoderInput(), b, newTokens, d));
            in.put("attention_mask", scope.longs(kv.attentionMask(newTokens), b, s + newTokens));
            if (decoderTakesPositions) {
                in.put("position_ids", scope.longs(kv.positionIds(newTokens), b, newTokens));
            }
            Map<String, OnnxTensor> pinned = new HashMap<>();
            for (int i = 0; i < layout.numTensors(); i++) {
                // [B, kvHeads, S or M, headDim] over the caller's direct buffer (no copy); S = 0
                // for a fresh concat-style prefill
                in.put(
                        pastNames[i],
                        scope.over(
                                kv.pastBytes(i),
                                types.kv(),
                                b,
                                layout.kvHeads(),
                                pastDim,
                                layout.headDim()));
                // [B, kvHeads, S + T or M, headDim]: ORT writes the present straight into the
                // spare buffer (concat) or appends in place into the past's buffer (shared)
                pinned.put(
                        presentNames[i],
                        scope.over(
                                kv.presentBytes(i, newTokens),
                                types.kv(),
                                b,
                                layout.kvHeads(),
                                presentDim,
                                layout.headDim()));
            }
            // [B, T, V] into native memory of ours: only the last position of each row is read
            // (a prefill's other T - 1 rows never reach the heap)
            ElementType lt = types.logits();
            int numLogits = b * newTokens * v;
            ByteBuffer memory = logitsMemory.take((long) lt.bytes() * numLogits);
            try {
                ByteBuffer all =
                        memory.slice(0, numLogits * lt.bytes()).order(ByteOrder.nativeOrder());
                pinned.put("logits", scope.over(all, lt, b, newTokens, v));
                try (OrtSession.Result r = decoder.run(in, Set.of(), pinned)) {
                    // every output was pinned: the result holds nothing to read
                }
                logits = new float[b * v];
                for (int row = 0; row < b; row++) {
                    int first = (row * newTokens + newTokens - 1) * v;
                    HalfFloats.decode(all, lt, first * lt.bytes(), logits, row * v, v);
                }
            } finally {
                logitsMemory.giveBack(memory);
            }
        } catch (OrtException e) {
            throw new ExecutionFailedException(stage, requestIds, e.getMessage(), e);
        }
        kv.commit(newTokens);
        return logits;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("executor is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        logitsMemory.close();
        closeQuietly(vision);
        closeQuietly(embed);
        closeQuietly(decoder);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            LOG.warn("closing an ONNX Runtime session failed", e);
        }
    }
}
