#!/usr/bin/env python3
"""Converts a Glimpse model directory (docs/model.md) to float16: `to_fp16.py MODEL_DIR OUT_DIR [--dtype bfloat16]`.

Weights, graph inputs/outputs (pixels, visual tokens, embeddings, logits, KV) and activations
become float16, except where the MiniCPM-V / Qwen2 reference computes in float32 and so must we:
  * RMSNorm written out (Pow, ReduceMean, Add eps, Sqrt, Div): x^2 overflows float16 for |x| > 256;
  * Softmax (the reference upcasts attention probabilities to float32);
  * RoPE tables (Cast of positions, Mul by inv_freq, Sin, Cos) and the attention-mask arithmetic
    (float32 min times (1 - mask) would be 0 * -inf = NaN in float16).
A node of one of those kinds, or an elementwise node all of whose float inputs come from such a
region, computes in float32; its float16 inputs get a Cast up and its outputs a Cast down where a
float16 node reads them. `--keep-fp32 OP,OP` adds op types (for a runtime without float16 kernels).

The fused contrib ops keep float16 I/O: com.microsoft.GroupQueryAttention (float16 cos/sin caches,
as ONNX Runtime requires) and (Skip)SimplifiedLayerNormalization (ONNX Runtime accumulates them in
float32 internally).

External data: initializers stored in one external file stay in one file (`decoder.weights`,
shared by both decoder graphs, converted once). Needs only the `onnx` and `numpy` packages.
Deterministic: the same input gives byte-identical output.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT
F16 = TensorProto.FLOAT16  # the half type; main() sets TensorProto.BFLOAT16 for --dtype bfloat16
FP32_OPS = {"Pow", "ReduceMean", "Sqrt", "Softmax", "Sin", "Cos", "Range"}
# elementwise ops that stay float32 when every float input is float32 already (RMSNorm, RoPE, mask)
FOLLOW_OPS = {"Add", "Sub", "Mul", "Div", "Neg", "Reciprocal", "Sqrt", "Unsqueeze", "Reshape",
              "Expand", "Transpose", "Concat", "Where", "Slice", "Gather", "Squeeze", "Cast"}
NOT_FLOAT_OUT = {"Shape", "Size", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
                 "Not", "And", "Or", "Xor", "NonZero", "ArgMax", "ArgMin", "IsNaN", "IsInf"}


def load(path):
    return onnx.load(path, load_external_data=False)


def float_tensors(model):
    """Names of the float32 tensors of the graph, by forward propagation over the nodes."""
    g = model.graph
    floats = {i.name for i in g.initializer if i.data_type == F32}
    floats |= {i.name for i in g.input if i.type.tensor_type.elem_type == F32}
    for n in g.node:
        if n.op_type == "Constant":
            t = next(a.t for a in n.attribute if a.name == "value") if n.attribute else None
            if t is not None and t.data_type == F32:
                floats.update(n.output)
        elif n.op_type == "Cast":
            to = next(a.i for a in n.attribute if a.name == "to")
            if to == F32:
                floats.update(n.output)
        elif n.op_type == "ConstantOfShape":
            v = [a.t for a in n.attribute if a.name == "value"]
            if not v or v[0].data_type == F32:
                floats.update(n.output)
        elif n.op_type in NOT_FLOAT_OUT:
            continue
        elif n.op_type == "Where":
            if any(x in floats for x in n.input[1:]):
                floats.update(n.output)
        elif any(x in floats for x in n.input):
            floats.update(o for o in n.output if o)
    return floats


def fp32_region(model, floats, keep_ops):
    """Nodes (by index) that compute in float32."""
    region, region_out = set(), set()
    consts = constants(model)
    for idx, n in enumerate(model.graph.node):
        float_in = [x for x in n.input if x in floats]
        if n.op_type in FP32_OPS or n.op_type in keep_ops:
            ok = True
        elif n.op_type == "Cast":
            # int -> float casts (positions, masks) start a float32 region
            ok = not float_in or all(x in region_out for x in float_in)
        elif n.op_type in FOLLOW_OPS and float_in:
            ok = all(x in region_out or x in consts for x in float_in) and any(
                x in region_out for x in float_in)
        else:
            ok = False
        if ok:
            region.add(idx)
            region_out.update(o for o in n.output if o in floats)
    return region, region_out


def constants(model):
    names = {i.name for i in model.graph.initializer}
    return names | {o for n in model.graph.node if n.op_type == "Constant" for o in n.output}


def convert_graph(model, keep_ops, weights):
    g = model.graph
    floats = float_tensors(model)
    region, region_out = fp32_region(model, floats, keep_ops)
    # a constant read only by float32-region nodes stays float32 (inv_freq, eps, mask minimum)
    readers = {}
    for idx, n in enumerate(g.node):
        for x in n.input:
            readers.setdefault(x, set()).add(idx)
    consts = constants(model)
    keep32 = {c for c in floats if c in consts and readers.get(c) and readers[c] <= region}
    half = floats - region_out - keep32  # float tensors that become float16

    for init in g.initializer:
        if init.name in half:
            weights.convert(init)
    new_nodes = []
    casts = {}

    def cast(name, to):
        key = (name, to)
        if key not in casts:
            out = f"{name}__to_{'half' if to == F16 else 'fp32'}"
            new_nodes.append(helper.make_node("Cast", [name], [out], to=to, name=out))
            casts[key] = out
        return casts[key]

    for idx, n in enumerate(g.node):
        in32 = idx in region
        if n.op_type == "Constant" and n.output[0] in half:
            a = next(a for a in n.attribute if a.name == "value")
            a.t.CopyFrom(to_half(a.t))
        if n.op_type == "ConstantOfShape" and n.output[0] in half:
            for a in n.attribute:
                if a.name == "value":
                    a.t.CopyFrom(to_half(a.t))
            if not any(a.name == "value" for a in n.attribute):
                n.attribute.append(helper.make_attribute(
                    "value", to_half(numpy_helper.from_array(np.zeros(1, np.float32)))))
        if n.op_type == "Cast" and n.output[0] in half:
            for a in n.attribute:
                if a.name == "to":
                    a.i = F16
        for k, x in enumerate(n.input):
            if in32 and x in half:
                n.input[k] = cast(x, F32)
            elif not in32 and (x in region_out or x in keep32) and x in floats:
                n.input[k] = cast(x, F16)
        new_nodes.append(n)
    graph_out = {o.name for o in g.output}
    for o in g.output:
        if o.type.tensor_type.elem_type == F32:
            o.type.tensor_type.elem_type = F16
            if o.name in region_out:
                raise SystemExit(f"output {o.name} is computed in float32; not supported")
    for i in g.input:
        if i.type.tensor_type.elem_type == F32:
            i.type.tensor_type.elem_type = F16
    del g.value_info[:]  # stale float32 shapes; ONNX Runtime infers them again
    del g.node[:]
    g.node.extend(new_nodes)
    assert graph_out  # keep names
    return model


def bf16_bits(a):
    """float32 array -> bfloat16 bits (uint16), rounding to nearest even; NaN stays NaN."""
    b = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype("<u2")
    nan = np.isnan(a)
    return np.where(nan, ((b >> 16) | 0x40).astype("<u2"), rounded)


def half_bytes(a):
    """float32 array -> the half type's little-endian bytes."""
    if F16 == TensorProto.BFLOAT16:
        return bf16_bits(a).tobytes()
    # finite values beyond float16 (masked-fill -1e9) saturate at ±65504, as finfo(float16).min
    # does in the reference, instead of becoming ±inf (0 * inf = NaN downstream)
    return np.where(np.isfinite(a), np.clip(a, -65504, 65504), a).astype("<f2").tobytes()


def to_half(t):
    a = numpy_helper.to_array(t).astype(np.float32)
    return helper.make_tensor(t.name, F16, a.shape, half_bytes(a), raw=True)


class Weights:
    """Converts initializers; external ones go to OUT_DIR/<same file>, each source range once."""

    def __init__(self, src_dir, out_dir):
        self.src_dir, self.out_dir = src_dir, out_dir
        self.files = {}  # location -> (open file, {(offset, length): (new offset, new length)})

    def convert(self, init):
        ext = {e.key: e.value for e in init.external_data}
        if init.data_location != TensorProto.EXTERNAL:
            init.CopyFrom(to_half(init))
            return
        loc = ext["location"]
        off, length = int(ext.get("offset", 0)), int(ext["length"])
        if loc not in self.files:
            self.files[loc] = (open(os.path.join(self.out_dir, loc), "wb"), {})
        fh, done = self.files[loc]
        if (off, length) not in done:
            with open(os.path.join(self.src_dir, loc), "rb") as f:
                f.seek(off)
                data = half_bytes(np.frombuffer(f.read(length), dtype="<f4"))
            pad = (-fh.tell()) % 64
            fh.write(b"\0" * pad)
            done[(off, length)] = (fh.tell(), len(data))
            fh.write(data)
        new_off, new_len = done[(off, length)]
        init.data_type = F16
        del init.external_data[:]
        for k, v in (("location", loc), ("offset", str(new_off)), ("length", str(new_len))):
            init.external_data.append(onnx.StringStringEntryProto(key=k, value=v))

    def close(self):
        for fh, _ in self.files.values():
            fh.close()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--keep-fp32", default="", help="op types to compute in float32, comma-separated")
    ap.add_argument("--graphs", default="", help="graph files to convert (default: every *.onnx)")
    ap.add_argument("--dtype", choices=("float16", "bfloat16"), default="float16")
    args = ap.parse_args(argv)
    convert(args.model_dir, args.out_dir, args.dtype, args.keep_fp32, args.graphs)


def convert(model_dir, out_dir, dtype="float16", keep_fp32="", graphs=""):
    """Writes the half-precision copy of model directory MODEL_DIR to OUT_DIR (created if missing): the graphs
    (GRAPHS, comma-separated file names, or every *.onnx), their external data, tokenizer.json and model.json
    (version suffixed, "precision" stating DTYPE and the float32 regions). What the command line does; callers
    in Python (export_minicpmv26.py --precision float16 on CPU) use this instead of a subprocess.
    Not thread-safe: DTYPE sets this module's half type."""
    global F16
    F16 = TensorProto.BFLOAT16 if dtype == "bfloat16" else TensorProto.FLOAT16
    keep = {s for s in keep_fp32.split(",") if s}
    os.makedirs(out_dir, exist_ok=True)
    manifest = json.load(open(os.path.join(model_dir, "model.json")))
    names = sorted(f for f in os.listdir(model_dir) if f.endswith(".onnx"))
    if graphs:
        names = [g for g in names if g in graphs.split(",")]
    weights = Weights(model_dir, out_dir)
    for name in names:
        m = convert_graph(load(os.path.join(model_dir, name)), keep, weights)
        onnx.save(m, os.path.join(out_dir, name))
        print(f"{name}: {dtype}", file=sys.stderr)
    weights.close()
    for f in ("tokenizer.json",):
        shutil.copyfile(os.path.join(model_dir, f), os.path.join(out_dir, f))
    manifest["version"] = manifest["version"] + ("-fp16" if dtype == "float16" else "-bf16")
    manifest["precision"] = {
        "weights": dtype,
        "command": "model-serving/training/to_fp16.py MODEL_DIR OUT_DIR"
        + (f" --keep-fp32 {keep_fp32}" if keep else "")
        + (" --dtype bfloat16" if dtype == "bfloat16" else ""),
        "fp32Regions": "RMSNorm written out, Softmax, RoPE tables, attention-mask arithmetic",
    }
    manifest.pop("training", None)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
