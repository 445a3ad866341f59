"""Gives a model directory the GroupQueryAttention-style decoder (docs/design.md section 4, variant b; "decoderStyle":
"gqa") beside its concat-style one, the graph torch.onnx.export gives, both over one copy of the weights.

Before: decoder.onnx (concat graph, weights inside), model.json without llm.decoderStyle or with "concat".
After:  decoder.weights          the decoder's weights, once (ONNX external data, 4 KiB-aligned tensors)
        decoder.onnx             the GQA graph (the default: "decoderStyle": "gqa")
        decoder-concat.onnx      the concat graph, unchanged but for its weights now in decoder.weights
        model.json               llm.decoderStyle "gqa", llm.decoders {"gqa": ..., "concat": ...}
Deterministic: the same input directory gives the same bytes.

The GQA graph computes the same function as glimpse_train.model.Decoder with fused ONNX Runtime operators:
  * each layer's q, k and v projections as one MatMul into a packed [q | k | v] row, feeding
    com.microsoft.GroupQueryAttention, which applies RoPE itself (do_rotary, rotate-half layout, cos/sin
    tables of maxPositions rows computed with torch exactly as Decoder does) and appends the new keys and values
    in place into a KV buffer shared between past and present: past_key_values.{i}.key [B, kvHeads, M, headDim]
    and present.{i}.key are the same buffer when the caller binds them so (the engine does), rows right-padded;
  * RMSNorm as SimplifiedLayerNormalization, each residual add fused into the next norm
    (com.microsoft.SkipSimplifiedLayerNormalization);
  * gate and up as one MatMul.
Inputs: inputs_embeds [B,T,D], attention_mask [B,S_total] int64 (row sums are the rows' valid lengths after this
run; only its row sums and width are read), past_key_values.{i}.key|value [B,kvHeads,M,headDim], M >= S_total.
Outputs: logits [B,T,V], present.{i}.key|value [B,kvHeads,M,headDim]. No position_ids: a row's positions are its
valid length before the run plus 0..T-1, which is what the engine's position ids are.

Every weight keeps its initializer name and layout from the concat graph, so tools that read weights by
state-dict name (glimpse_train.checkpoint, bench_reference.py) read either decoder; transposes and
concatenations of weights are graph nodes over constants, which ONNX Runtime folds once when it loads the session.
ONNX Runtime's CUDA GroupQueryAttention has float16/bfloat16 kernels only, so the engine runs the concat graph of
this float32 model on CUDA (OrtModelExecutor.chooseDecoder).

export.export_all runs convert() after every export; make_gqa_decoder.py runs it on an older model directory.
"""
import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper


def rope_tables(head_dim, theta, max_positions):
    """cos/sin [max_positions, head_dim/2] computed the way glimpse_train.model.Decoder computes them."""
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    f = torch.arange(max_positions, dtype=torch.float32).unsqueeze(-1) * inv
    return torch.cos(f).numpy().astype(np.float32), torch.sin(f).numpy().astype(np.float32)


def build(concat_path, llm):
    src = onnx.load(concat_path)
    weights = {i.name: i for i in src.graph.initializer}
    d, layers, heads, kvh, hd = llm["hidden"], llm["layers"], llm["heads"], llm["kvHeads"], llm["headDim"]
    vocab, eps = llm["vocab"], llm["rmsNormEps"]
    f32, i64 = TensorProto.FLOAT, TensorProto.INT64
    nodes, inits, used = [], [], set()

    def w(name):
        if name not in weights:
            raise SystemExit("%s has no initializer %s" % (concat_path, name))
        if name not in used:
            used.add(name)
            inits.append(weights[name])
        return name

    def node(op, ins, outs, domain=None, **attrs):
        nodes.append(helper.make_node(op, ins, outs, name=outs[0] if outs[0] else op + str(len(nodes)),
                                      domain=domain, **attrs))
        return outs[0]

    def transposed(name):  # torch Linear weight [out, in] -> [in, out]
        return node("Transpose", [w(name)], [name + ".t"], perm=[1, 0])

    def const(name, array):
        inits.append(numpy_helper.from_array(array, name))
        return name

    cos, sin = rope_tables(hd, llm["ropeTheta"], llm["maxPositions"])
    const("rope.cos", cos)
    const("rope.sin", sin)
    const("one_i64", np.array([1], dtype=np.int64))
    const("axis1", np.array([1], dtype=np.int64))
    # seqlens_k [B] int32 = valid length - 1; total_sequence_length int32 scalar = mask width
    node("ReduceSum", ["attention_mask", "axis1"], ["mask.sum"], keepdims=0)
    node("Sub", ["mask.sum", "one_i64"], ["mask.sum_m1"])
    node("Cast", ["mask.sum_m1"], ["seqlens_k"], to=TensorProto.INT32)
    node("Shape", ["attention_mask"], ["mask.shape"])
    const("idx1", np.array(1, dtype=np.int64))
    node("Gather", ["mask.shape", "idx1"], ["mask.width"], axis=0)
    node("Cast", ["mask.width"], ["total_sequence_length"], to=TensorProto.INT32)

    x = "inputs_embeds"
    h = node("SimplifiedLayerNormalization", [x, w("decoder.layers.0.input_layernorm.weight")], ["l0.h"],
             axis=-1, epsilon=eps, stash_type=1)
    outputs = []
    for n in range(layers):
        p = "decoder.layers.%d." % n
        # packed [q | k | v] projection
        wqkv = node("Concat", [transposed(p + "q_proj.weight"), transposed(p + "k_proj.weight"),
                               transposed(p + "v_proj.weight")], [p + "qkv.wt"], axis=1)
        bqkv = node("Concat", [w(p + "q_proj.bias"), w(p + "k_proj.bias"), w(p + "v_proj.bias")],
                    [p + "qkv.b"], axis=0)
        qkv = node("MatMul", [h, wqkv], ["l%d.qkv.mm" % n])
        qkv = node("Add", [qkv, bqkv], ["l%d.qkv" % n])
        past_k, past_v = "past_key_values.%d.key" % n, "past_key_values.%d.value" % n
        pres_k, pres_v = "present.%d.key" % n, "present.%d.value" % n
        attn = node("GroupQueryAttention",
                    [qkv, "", "", past_k, past_v, "seqlens_k", "total_sequence_length", "rope.cos", "rope.sin"],
                    ["l%d.attn" % n, pres_k, pres_v], domain="com.microsoft",
                    num_heads=heads, kv_num_heads=kvh, do_rotary=1, rotary_interleaved=0,
                    scale=float(1.0 / np.sqrt(hd)))
        outputs += [pres_k, pres_v]
        o = node("MatMul", [attn, transposed(p + "o_proj.weight")], ["l%d.o" % n])
        # x1 = x + o; h2 = RMSNorm(x1)
        h2, x1 = "l%d.h2" % n, "l%d.x1" % n
        node("SkipSimplifiedLayerNormalization", [o, x, w(p + "post_attention_layernorm.weight")],
             [h2, "", "", x1], domain="com.microsoft", epsilon=eps)
        wgu = node("Concat", [transposed(p + "gate_proj.weight"), transposed(p + "up_proj.weight")],
                   [p + "gate_up.wt"], axis=1)
        gu = node("MatMul", [h2, wgu], ["l%d.gu" % n])
        gate, up = "l%d.gate" % n, "l%d.up" % n
        node("Split", [gu, const("l%d.split" % n, np.array([llm["intermediate"]] * 2, dtype=np.int64))],
             [gate, up], axis=-1)
        sig = node("Sigmoid", [gate], ["l%d.sig" % n])
        silu = node("Mul", [gate, sig], ["l%d.silu" % n])
        act = node("Mul", [silu, up], ["l%d.act" % n])
        down = node("MatMul", [act, transposed(p + "down_proj.weight")], ["l%d.down" % n])
        # next norm: x2 = x1 + down; h = RMSNorm(x2) with the next layer's (or the final) weight
        norm_w = "decoder.layers.%d.input_layernorm.weight" % (n + 1) if n + 1 < layers else "decoder.norm.weight"
        h, x = "l%d.h" % (n + 1), "l%d.x" % (n + 1)
        node("SkipSimplifiedLayerNormalization", [down, x1, w(norm_w)], [h, "", "", x],
             domain="com.microsoft", epsilon=eps)
    # an untied lm_head (a real Qwen2) when the concat graph has one, else the tied embedding matrix
    lm_head = "decoder.lm_head.weight" if "decoder.lm_head.weight" in weights else "decoder.embed_tokens.weight"
    node("MatMul", [h, transposed(lm_head)], ["logits"])

    kv_shape = ["B", kvh, "M", hd]
    graph = helper.make_graph(
        nodes, "glimpse_decoder_gqa",
        [helper.make_tensor_value_info("inputs_embeds", f32, ["B", "T", d]),
         helper.make_tensor_value_info("attention_mask", i64, ["B", "S_total"])]
        + [helper.make_tensor_value_info(name.replace("present.", "past_key_values."), f32, kv_shape)
           for name in outputs],
        [helper.make_tensor_value_info("logits", f32, ["B", "T", vocab])]
        + [helper.make_tensor_value_info(name, f32, kv_shape) for name in outputs],
        initializer=inits)
    model = helper.make_model(graph, producer_name="glimpse",
                              opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = src.ir_version
    return model


WEIGHTS = "decoder.weights"
CONCAT = "decoder-concat.onnx"
ALIGN = 4096


def externalize(graphs, names, weights_path):
    """Moves the initializers called `names` of every graph into one file, each tensor once: graphs share the
    bytes. The tensors must be equal in every graph that holds them."""
    offsets, blob, data = {}, bytearray(), {}
    for g in graphs:
        for init in g.graph.initializer:
            if init.name in names:
                raw = numpy_helper.to_array(init).tobytes()
                if data.setdefault(init.name, raw) != raw:
                    raise SystemExit("initializer %s differs between the graphs" % init.name)
    for name in sorted(data):
        blob.extend(b"\0" * (-len(blob) % ALIGN))
        offsets[name] = (len(blob), len(data[name]))
        blob.extend(data[name])
    for g in graphs:
        for init in g.graph.initializer:
            if init.name not in offsets:
                continue
            off, length = offsets[init.name]
            init.ClearField("raw_data")
            init.ClearField("float_data")
            del init.external_data[:]
            init.data_location = TensorProto.EXTERNAL
            for k, v in (("location", os.path.basename(weights_path)), ("offset", str(off)), ("length", str(length))):
                e = init.external_data.add()
                e.key, e.value = k, v
    with open(weights_path, "wb") as f:
        f.write(bytes(blob))


def convert(model_dir):
    manifest_path = os.path.join(model_dir, "model.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    llm = manifest["llm"]
    if llm.get("decoderStyle", "concat") != "concat":
        raise SystemExit("%s: the decoder is already %s-style" % (manifest_path, llm["decoderStyle"]))
    concat_path = os.path.join(model_dir, "decoder.onnx")
    concat = onnx.load(concat_path)
    gqa = build(concat_path, llm)
    names = {i.name for i in concat.graph.initializer if i.name.startswith("decoder.")}
    externalize([concat, gqa], names, os.path.join(model_dir, WEIGHTS))
    onnx.save(concat, os.path.join(model_dir, CONCAT))
    # onnx 1.12's checker does not know the com.microsoft operators; ONNX Runtime validates on load
    onnx.save(gqa, concat_path)
    llm["decoderStyle"] = "gqa"
    llm["decoders"] = {"gqa": "decoder.onnx", "concat": CONCAT}
    files = manifest.setdefault("files", {})
    files["decoder"] = "decoder.onnx"
    files["decoderConcat"] = CONCAT
    files["decoderWeights"] = WEIGHTS
    return manifest, len(gqa.graph.node), len(concat.graph.node)
