#!/usr/bin/python3
"""PyTorch reference throughput: the requests of EngineBenchmark's batching run, generated one at a time by the
training code's greedy loop (what a Python user of this model would run instead of Glimpse).

usage: bench_reference.py --requests DIR [--threads 2] [--ckpt WEIGHTS] [--tokenizer TOKENIZER_JSON]
DIR holds requests.json ([{"id", "maxNewTokens", "slices": [{"file", "rows", "cols"}]}]) and one little-endian
float32 file per slice (the normalised strip, 3 x 14 x rows*cols*14), written by EngineBenchmark. Every request
generates exactly maxNewTokens tokens (stop tokens ignored, as on the Java side). The weights are the bundled
model's (read from its ONNX graphs) unless --ckpt names others. Prints one JSON line: images, seconds,
images_per_s, tokens_per_s, and the generated token ids per request (to compare with Glimpse's).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the training folder (glimpse_train, train.py)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np
import torch

from glimpse_train import data, slicing
from glimpse_train.infer import load_model
from glimpse_train.tokenizer import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLED = os.path.join(HERE, "..", "..", "models", "glimpse-tiny")


@torch.no_grad()
def generate(model, tok, strips, tgts, grid, max_new):
    """Vision, prefill and a greedy KV-cached loop for exactly max_new tokens (infer.generate without stops)."""
    lmax = max(s.shape[2] // 14 for s in strips)
    pv = torch.zeros(len(strips), 3, 14, lmax * 14)
    for i, s in enumerate(strips):
        pv[i, :, :, :s.shape[2]] = torch.from_numpy(s)
    feats = model.vision(pv, torch.tensor(tgts, dtype=torch.int64))
    plan = {"grid": grid}
    ids = tok.encode(data.build_prompt("caption", slicing.placeholder(plan, model.c.query_num)))
    emb = model.embed_with_images(torch.tensor([ids]), feats, tok.id("<unk>"))
    T = len(ids)
    logits, past = model.decoder(emb, torch.ones(1, T, dtype=torch.int64), torch.arange(T).unsqueeze(0))
    out = []
    pos = T
    while True:
        nxt = int(torch.argmax(logits[0, -1]))
        out.append(nxt)
        if len(out) >= max_new:
            return out
        e = model.decoder.embed_tokens(torch.tensor([[nxt]]))
        logits, past = model.decoder(e, torch.ones(1, pos + 1, dtype=torch.int64), torch.tensor([[pos]]), past)
        pos += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ckpt")
    ap.add_argument("--tokenizer", default=os.path.join(BUNDLED, "tokenizer.json"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load_model(a.ckpt or BUNDLED)[0]
    tok = Tokenizer.load(a.tokenizer)
    with open(os.path.join(a.requests, "requests.json")) as f:
        reqs = json.load(f)
    loaded = []
    for r in reqs:
        strips, tgts = [], []
        for s in r["slices"]:
            px = np.fromfile(os.path.join(a.requests, s["file"]), dtype="<f4")
            strips.append(px.reshape(3, 14, s["rows"] * s["cols"] * 14))
            tgts.append((s["rows"], s["cols"]))
        grid = None if r.get("gridRows", 0) == 0 else (r["gridCols"], r["gridRows"])
        loaded.append((strips, tgts, grid, r["maxNewTokens"]))
    generate(model, tok, *loaded[0])        # warm-up (allocator, thread pool)
    t0 = time.perf_counter()
    outputs = [generate(model, tok, *x) for x in loaded]
    s = time.perf_counter() - t0
    tokens = sum(len(o) for o in outputs)
    print(json.dumps({"images": len(loaded), "seconds": round(s, 3), "images_per_s": len(loaded) / s,
                      "tokens_per_s": tokens / s, "threads": a.threads, "torch": torch.__version__,
                      "weights": a.ckpt or "bundled model", "token_ids": outputs}), flush=True)


if __name__ == "__main__":
    main()
