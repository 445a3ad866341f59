"""Checkpoint files: atomic writes, and portable model-only checkpoints split into parts below a size limit.

An exported model directory loads as a checkpoint too (without the auxiliary training heads).
A split checkpoint is a directory holding `meta.json` (everything but the weights) and `weights-N.npz` parts
(float32 arrays, a subset of the state dict each). It exists so that weights trained on a lent GPU machine
(another PyTorch and NumPy) travel back through a transfer limited per file (16 MB) and load, with any PyTorch,
exactly like a single-file checkpoint.
"""
import json
import os
import shutil

import numpy as np
import torch


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def save_split(ck, directory, max_part_bytes=12 * 1024 * 1024):
    """Writes ck (a dict with "model" = state dict) as meta.json + weights-N.npz parts of at most
    max_part_bytes each; the directory is replaced as a whole (written beside it, then renamed)."""
    tmp = directory.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    parts, cur, size = [], {}, 0
    for k, v in ck["model"].items():
        a = v.detach().cpu().contiguous().numpy()
        if cur and size + a.nbytes > max_part_bytes:
            parts.append(cur)
            cur, size = {}, 0
        cur[k] = a
        size += a.nbytes
    parts.append(cur)
    for n, p in enumerate(parts):
        with open(os.path.join(tmp, "weights-%d.npz" % n), "wb") as f:
            np.savez(f, **p)
    meta = {k: v for k, v in ck.items() if k not in ("model", "opt")}
    meta["parts"] = len(parts)
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(tmp, directory)


AUX_HEADS = ("patch_char_head.", "ctc_head.", "scene_patch_head.", "scene_ctc_head.", "ctc_tied.")


def from_model_dir(model_dir):
    """The weights of an exported model directory (model.json + ONNX graphs exported unfolded) as a
    checkpoint dict; the auxiliary training heads are not exported and are absent."""
    import onnx
    from onnx import numpy_helper

    with open(os.path.join(model_dir, "model.json")) as f:
        m = json.load(f)
    v, llm = m["vision"], m["llm"]
    config = {"vocab": llm["vocab"], "vit_hidden": v["hidden"], "vit_layers": v["layers"], "vit_heads": v["heads"],
              "pos_buckets": v["posBuckets"], "query_num": v["queryNum"], "hidden": llm["hidden"],
              "layers": llm["layers"], "heads": llm["heads"], "kv_heads": llm["kvHeads"], "head_dim": llm["headDim"],
              "intermediate": llm["intermediate"], "rope_theta": llm["ropeTheta"], "rms_eps": llm["rmsNormEps"]}
    model = {}
    for graph in ("vision.onnx", "decoder.onnx"):
        for init in onnx.load(os.path.join(model_dir, graph)).graph.initializer:
            if init.name.startswith(("vision.", "decoder.")):
                model[init.name] = torch.from_numpy(numpy_helper.to_array(init).copy())
    if not any(k.startswith("decoder.layers.") for k in model):
        raise ValueError(model_dir + ": the graphs hold no named weights (exported with constant folding)")
    t = m.get("training", {})
    return {"model": model, "config": config, "step": t.get("steps", 0), "train_minutes": t.get("minutes", 0.0),
            "seed": t.get("seed"), "batch": t.get("batch"), "lr": t.get("lr"), "images": t.get("images"),
            "source": "model directory " + os.path.basename(os.path.normpath(model_dir)) + " " + m["version"]}


def with_query_num(ck, query_num, seed=0):
    """ck with its resampler widened to query_num learned queries, each query repeated query_num/Q times with a
    little seeded noise (to start a 32-query model from 16-query weights: every pair first reads what its parent
    read, and the noise and the pair's different positions in the decoder's sequence let them part). ck itself
    is not changed; a checkpoint that already has query_num queries is returned as it is."""
    key = "vision.resampler.query"
    q = ck["model"][key]
    if q.shape[0] == query_num:
        return ck
    if query_num % q.shape[0]:
        raise ValueError("cannot widen %d resampler queries to %d (not a multiple)" % (q.shape[0], query_num))
    g = torch.Generator().manual_seed(seed)
    wide = q.repeat_interleave(query_num // q.shape[0], dim=0)
    wide = wide + torch.randn(wide.shape, generator=g) * 1e-2 * float(q.std())
    return dict(ck, model=dict(ck["model"], **{key: wide}), config=dict(ck["config"], query_num=query_num))


def load_into(model, ck):
    """Loads ck's weights into model; only the auxiliary heads may be missing (model directories)."""
    missing, unexpected = model.load_state_dict(ck["model"], strict=False)
    bad = [k for k in missing if not k.startswith(AUX_HEADS)] + list(unexpected)
    if bad:
        raise ValueError("checkpoint does not match the model: " + ", ".join(bad[:8]))


def load(path):
    """A checkpoint dict from a file written by train.py, a directory written by save_split, or an
    exported model directory (from_model_dir)."""
    if os.path.isfile(os.path.join(path, "model.json")):
        return from_model_dir(path)
    if not os.path.isdir(path):
        return torch.load(path, map_location="cpu")
    with open(os.path.join(path, "meta.json")) as f:
        ck = json.load(f)
    model = {}
    for n in range(ck.pop("parts")):
        with np.load(os.path.join(path, "weights-%d.npz" % n)) as z:
            model.update({k: torch.from_numpy(z[k].copy()) for k in z.files})
    ck["model"] = model
    return ck
