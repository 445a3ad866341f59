#!/usr/bin/python3
"""The PyTorch reference of the answer confidences: the greedy answer of the bundled model to golden images and the
softmax probability (temperature 1, in double) of each chosen token, the stop token last. AnswerConfidenceITCase
holds these numbers for ocr_line_sliced.png and checks the Java engine against them.

usage (from model-serving/training/):
    /usr/bin/python3 checks/confidence_reference.py [--task ocr] IMAGE.png...   (names under models/glimpse-tiny/golden)
"""
import argparse
import os
import sys

import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from glimpse_train.infer import generate, load_model  # noqa: E402
from glimpse_train.tokenizer import Tokenizer  # noqa: E402

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "glimpse-tiny")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="ocr")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, _ = load_model(MODEL, "cpu")
    tok = Tokenizer.load(os.path.join(MODEL, "tokenizer.json"))
    forward = model.decoder.forward
    last_logits = []

    def capture(*args, **kwargs):   # the logits each decoder call ends with: the ones the next token is chosen from
        out = forward(*args, **kwargs)
        last_logits.append(out[0][0, -1].detach().clone())
        return out

    model.decoder.forward = capture
    for name in a.images:
        last_logits.clear()
        img = Image.open(os.path.join(MODEL, "golden", name)).convert("RGB")
        r = generate(model, tok, img, a.task)
        probs = [float(torch.softmax(last_logits[i].double(), 0)[t]) for i, t in enumerate(r["output_ids"])]
        print(name, repr(r["text"]), r["output_ids"])
        print(", ".join("%.6f" % p for p in probs))


if __name__ == "__main__":
    main()
