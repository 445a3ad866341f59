package dev.glimpse.serving.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.glimpse.serving.engine.kv.ElementType;
import java.util.Map;

/**
 * The element types of a model's graphs at the engine's boundary, read from the sessions' input and
 * output metadata: a half-precision export needs no setting. Immutable.
 *
 * @param pixels {@code vision.onnx} input {@code pixel_values}
 * @param visualTokens {@code vision.onnx}'s first output ({@code image_features})
 * @param embeddings {@code embed.onnx}'s first output ({@code inputs_embeds})
 * @param decoderInput the decoder's {@code inputs_embeds}
 * @param logits the decoder's {@code logits}
 * @param kv every {@code past_key_values.*} input and {@code present.*} output (one type)
 */
public record GraphTypes(
        ElementType pixels,
        ElementType visualTokens,
        ElementType embeddings,
        ElementType decoderInput,
        ElementType logits,
        ElementType kv) {

    static GraphTypes read(
            OrtSession vision,
            OrtSession embed,
            OrtSession decoder,
            String[] pastNames,
            String[] presentNames)
            throws OrtException {
        Map<String, NodeInfo> decIn = decoder.getInputInfo();
        Map<String, NodeInfo> decOut = decoder.getOutputInfo();
        ElementType kv = of("decoder input " + pastNames[0], decIn.get(pastNames[0]));
        for (String n : pastNames) {
            requireSame(kv, "decoder input " + n, decIn.get(n));
        }
        for (String n : presentNames) {
            requireSame(kv, "decoder output " + n, decOut.get(n));
        }
        return new GraphTypes(
                of("vision input pixel_values", vision.getInputInfo().get("pixel_values")),
                of("vision output", first(vision.getOutputInfo())),
                of("embed output", first(embed.getOutputInfo())),
                of("decoder input inputs_embeds", decIn.get("inputs_embeds")),
                of("decoder output logits", decOut.get("logits")),
                kv);
    }

    /** Whether {@code embed.onnx} gives half-precision embeddings: known before the decoder is. */
    static boolean halfPrecisionEmbeddings(OrtSession embed) throws OrtException {
        return of("embed output", first(embed.getOutputInfo())) != ElementType.FLOAT32;
    }

    private static NodeInfo first(Map<String, NodeInfo> infos) {
        return infos.values().iterator().next();
    }

    private static void requireSame(ElementType expected, String what, NodeInfo info) {
        ElementType t = of(what, info);
        if (t != expected) {
            throw new IllegalArgumentException(
                    what
                            + " is "
                            + t.onnxName()
                            + " but the first KV tensor is "
                            + expected.onnxName()
                            + ": all KV tensors must share one type");
        }
    }

    /** The element type of a float tensor; anything else is not a graph the engine can feed. */
    static ElementType of(String what, NodeInfo info) {
        if (info == null) {
            throw new IllegalArgumentException("the model has no " + what);
        }
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new IllegalArgumentException(what + " is not a tensor: " + info.getInfo());
        }
        return switch (t.type) {
            case FLOAT -> ElementType.FLOAT32;
            case FLOAT16 -> ElementType.FLOAT16;
            case BFLOAT16 -> ElementType.BFLOAT16;
            default ->
                    throw new IllegalArgumentException(
                            what
                                    + " has element type "
                                    + t.type
                                    + "; expected float, float16 or bfloat16");
        };
    }

    /** Whether any boundary tensor is not float32. */
    public boolean halfPrecision() {
        return pixels != ElementType.FLOAT32
                || visualTokens != ElementType.FLOAT32
                || embeddings != ElementType.FLOAT32
                || decoderInput != ElementType.FLOAT32
                || logits != ElementType.FLOAT32
                || kv != ElementType.FLOAT32;
    }
}
