"""Checkpoint files: atomic writes, and portable model-only checkpoints split into parts below a size limit.

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


def load(path):
    """A checkpoint dict from a file written by train.py or a directory written by save_split."""
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
