#!/usr/bin/python3
"""Writes the ONNX graph of a decode step's matrix multiplications alone (EngineBenchmark's "how close is a
decode step to its limit"): per decoder layer the q, k, v, o, gate, up and down projections of B rows and the two
attention products of one query position against S cached positions per head, then the lm_head, at the bundled
model's sizes. The projection weights are constant initializers (seeded random values), as in decoder.onnx, so
ONNX Runtime pre-packs them the same way; activations and the KV cache are graph inputs; every product is a graph
output so nothing is pruned. EngineBenchmark runs this script into a temporary file (the graph holds ~13 MB of
weights, so it is not committed).

usage: make_step_matmuls.py OUT.onnx
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the training folder (glimpse_train, train.py)
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(1)
    initializers = []

    def weight(name, shape):
        initializers.append(numpy_helper.from_array((rng.standard_normal(shape) * 0.05).astype(np.float32), name))
    with open(os.path.join(HERE, "..", "..", "models", "glimpse-tiny", "model.json")) as f:
        llm = json.load(f)["llm"]
    d, heads, kvh, hd = llm["hidden"], llm["heads"], llm["kvHeads"], llm["headDim"]
    inter, vocab = llm["intermediate"], llm["vocab"]
    f32 = TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info("x", f32, ["B", d]),
              helper.make_tensor_value_info("h", f32, ["B", inter]),
              helper.make_tensor_value_info("q", f32, ["B", heads, 1, hd]),
              helper.make_tensor_value_info("p", f32, ["B", heads, 1, "S"])]
    weight("lm_head", [d, vocab])
    nodes, outputs = [], []

    def matmul(a, b, name, shape):
        nodes.append(helper.make_node("MatMul", [a, b], [name], name=name))
        outputs.append(helper.make_tensor_value_info(name, f32, shape))

    for n in range(llm["layers"]):
        w = {"q_proj": [d, heads * hd], "k_proj": [d, kvh * hd], "v_proj": [d, kvh * hd],
             "o_proj": [heads * hd, d], "gate_proj": [d, inter], "up_proj": [d, inter], "down_proj": [inter, d]}
        for name, shape in w.items():
            weight("l%d.%s" % (n, name), shape)
            src = "h" if name == "down_proj" else "x"
            matmul(src, "l%d.%s" % (n, name), "l%d.%s.out" % (n, name), ["B", shape[1]])
        # attention over the cache, heads already expanded from the KV heads (as the decoder does)
        inputs.append(helper.make_tensor_value_info("l%d.keys_t" % n, f32, ["B", heads, hd, "S"]))
        inputs.append(helper.make_tensor_value_info("l%d.values" % n, f32, ["B", heads, "S", hd]))
        matmul("q", "l%d.keys_t" % n, "l%d.scores" % n, ["B", heads, 1, "S"])
        matmul("p", "l%d.values" % n, "l%d.context" % n, ["B", heads, 1, hd])
    matmul("x", "lm_head", "logits", ["B", vocab])
    graph = helper.make_graph(nodes, "decode_step_matmuls", inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="glimpse")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out)
    print(out, len(nodes), "MatMul nodes")


if __name__ == "__main__":
    main()
