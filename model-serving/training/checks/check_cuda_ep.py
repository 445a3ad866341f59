#!/usr/bin/python3
"""Runs the bundled model's ONNX graphs on ONNX Runtime's CUDA execution provider and compares them with the CPU
provider and with the golden greedy tokens (PyTorch). For a lent GPU machine that has onnxruntime-gpu for Python
but no JDK: it checks the graphs under the CUDA provider, not the Java engine's provider selection.

usage: check_cuda_ep.py MODEL_DIR        exit 0 = all cases equal, 1 = a mismatch, 3 = no CUDA provider here
GLIMPSE_EP=CPUExecutionProvider runs the same comparison CPU against CPU (a dry run of this script).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the training folder (glimpse_train, train.py)
import numpy as np

EP = os.environ.get("GLIMPSE_EP", "CUDAExecutionProvider")
from PIL import Image

from glimpse_train import batching, slicing


def sessions(path):
    import onnxruntime as ort
    cpu = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    gpu = ort.InferenceSession(path, providers=[EP, "CPUExecutionProvider"])
    if gpu.get_providers()[0] != EP:
        raise RuntimeError("%s: %s not used (providers %s)" % (path, EP, gpu.get_providers()))
    return cpu, gpu


def rel_err(a, b):
    return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(a)))))


def main():
    try:
        import onnxruntime as ort
    except ImportError:
        print("no onnxruntime for Python here")
        return 3
    print("onnxruntime", ort.__version__, ort.get_available_providers())
    if EP not in ort.get_available_providers():
        return 3
    model_dir = sys.argv[1]
    vision = sessions(os.path.join(model_dir, "vision.onnx"))
    embed = sessions(os.path.join(model_dir, "embed.onnx"))
    # the concat graph: ONNX Runtime's CUDA GroupQueryAttention has no float32 kernel, the engine runs concat on CUDA
    with open(os.path.join(model_dir, "model.json")) as f:
        decoder_file = json.load(f)["llm"].get("decoders", {}).get("concat", "decoder.onnx")
    decoder = sessions(os.path.join(model_dir, decoder_file))
    tok = json.load(open(os.path.join(model_dir, "tokenizer.json")))
    unk = next(t["id"] for t in tok["added_tokens"] if t["content"] == "<unk>")
    stops = {t["id"] for t in tok["added_tokens"] if t["content"] in ("<|im_end|>", "<|endoftext|>")}
    past_names = [i.name for i in decoder[0].get_inputs() if i.name.startswith("past_key_values.")]
    kv_heads, head_dim = decoder[0].get_inputs()[3].shape[1], decoder[0].get_inputs()[3].shape[3]
    golden = json.load(open(os.path.join(model_dir, "golden", "golden.json")))
    worst, failures = {"vision": 0.0, "logits": 0.0}, 0
    for case in golden["cases"]:
        img = Image.open(os.path.join(model_dir, "golden", case["image"]))
        _, _, _, strips, tgts = batching.prepare_image(img, case["maxSliceNums"])
        pv, mask = slicing.batch_strips(strips)
        feeds = {"pixel_values": pv, "patch_attention_mask": mask,
                 "tgt_sizes": np.array(tgts, np.int64)}
        feats = [s.run(None, feeds)[0] for s in vision]
        worst["vision"] = max(worst["vision"], rel_err(feats[0], feats[1]))
        ids = np.array([case["promptIds"]], np.int64)
        outs, logits_pair = [], []
        for k in range(2):            # 0 = CPU, 1 = CUDA, each with its own features
            emb = embed[k].run(None, {"input_ids": ids})[0]
            emb[0, ids[0] == unk] = feats[k].reshape(-1, emb.shape[2])
            T = ids.shape[1]
            past = {n: np.zeros((1, kv_heads, 0, head_dim), np.float32) for n in past_names}
            feed = dict(inputs_embeds=emb, attention_mask=np.ones((1, T), np.int64),
                        position_ids=np.arange(T, dtype=np.int64)[None], **past)
            res = decoder[k].run(None, feed)
            logits_pair.append(res[0][0, -1])
            out, pos = [], T
            while len(out) < len(case["outputIds"]):
                nxt = int(np.argmax(res[0][0, -1]))
                out.append(nxt)
                if nxt in stops:
                    break
                past = {n: r for n, r in zip(past_names, res[1:])}
                e = embed[k].run(None, {"input_ids": np.array([[nxt]], np.int64)})[0]
                res = decoder[k].run(None, dict(inputs_embeds=e, attention_mask=np.ones((1, pos + 1), np.int64),
                                                position_ids=np.array([[pos]], np.int64), **past))
                pos += 1
            outs.append(out)
        worst["logits"] = max(worst["logits"], rel_err(logits_pair[0], logits_pair[1]))
        same = outs[0] == outs[1] == case["outputIds"]
        failures += not same
        print("%-28s greedy CPU==%s==golden %s (%d tokens)" % (case["name"], EP, same, len(case["outputIds"])))
    t = time.time()
    for _ in range(20):
        vision[1].run(None, feeds)
    print("CUDA vision, last case, %.2f ms per call" % ((time.time() - t) / 20 * 1000))
    print("max rel error CUDA vs CPU: vision %.2e, first-token logits %.2e" % (worst["vision"], worst["logits"]))
    ok = failures == 0 and worst["vision"] <= 1e-3 and worst["logits"] <= 1e-3
    print("CUDA EP check", "PASSED" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
