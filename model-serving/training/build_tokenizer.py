#!/usr/bin/python3
"""Trains the byte-level BPE merges on the synthetic prompt/caption/answer text and writes tokenizer.json.

usage: build_tokenizer.py OUT_DIR [--vocab 512]
Merges are learned on the fixed prompt, caption and yes/no text only (not on the random OCR strings), so OCR
targets stay close to one token per character; digits are never merged.
"""
import argparse
import os
import random

from glimpse_train import data
from glimpse_train.tokenizer import Tokenizer, train_bpe


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--vocab", type=int, default=512)
    a = ap.parse_args()
    rng = random.Random(1234)
    texts = []
    for t in data.INSTRUCTIONS:
        for c in data.CATEGORIES:
            texts.append(data.build_prompt(t, "<image_id>0</image_id><image><unk></image>", c) + "yes<|im_end|>")
    for _ in range(3000):
        texts.append(data.make_scene(rng, 112, 112)[1])
    texts += ["yes", "no"] * 300
    merges = train_bpe(texts, a.vocab)
    tok = Tokenizer.build(merges)
    for w in ["yes", "no"]:
        assert len(tok.encode(w)) == 1, w
    os.makedirs(a.out_dir, exist_ok=True)
    tok.save(os.path.join(a.out_dir, "tokenizer.json"))
    print("vocab", len(tok.vocab), "merges", len(merges))


if __name__ == "__main__":
    main()
