#!/usr/bin/python3
"""Builds the MiniCPM-V 2.6 replica model directories and their PyTorch goldens (issue #23).

    cd model-serving/training && nice -n 19 /usr/bin/python3 make_replica26.py ../src/test/resources/replica-minicpmv26

writes OUT/tokenizer-src.json (a small byte-level BPE with the real special tokens, trained on the 2.6 prompt
texts), OUT/fp32 and OUT/fp16 (export_minicpmv26.py --replica SEED --precision float32 / float16 on CPU, the same
export path as the real checkpoint; float16 on CPU is the float32 export converted by to_fp16.convert) and OUT/golden
(PNG images and golden.json: greedy tokens of the replica's own HF-semantics forward pass in float32, the smallest
top-2 logit margin along each case, moderation P(Yes), and teacher-forced logits of a text prompt). Deterministic: a
rerun with the same torch writes the same bytes.
"""
import json
import os
import random
import sys

import numpy as np
import torch
from PIL import Image

import export_minicpmv26 as exporter
from glimpse_train import data, replica26, slicing
from glimpse_train.export import dumps
from glimpse_train.tokenizer import Tokenizer, train_bpe

SEED = 26
SCALE = 448
MAX_NEW = 16
MIN_MARGIN = 0.15      # top-1 minus top-2 logit (logits have std ~3 here; the fp16 model differs by ~1e-2)
MIN_TOKENS = 6
# (file, width, height, task, category)
CASES = [("caption_448x448.png", 448, 448, "caption", None),
         ("caption_640x360_sliced.png", 640, 360, "caption", None),
         ("ocr_300x220.png", 300, 220, "ocr", None),
         ("moderation_520x700_sliced.png", 520, 700, "moderation", "weapons")]


def train_tokenizer():
    texts = []
    for task, t in exporter.TASKS_26.items():
        for cat in t.get("categories", [None]):
            q = "" if "question" not in t else "\n" + t["question"].format(category=cat)
            texts.append(exporter.CHAT_TEMPLATE_26.format(image="<image><unk></image>", instruction=t["instruction"],
                                                          question=q))
    texts = texts * 20 + ["Yes", "No"] * 50
    tok = Tokenizer.build(train_bpe(texts, 320))
    for w in ("Yes", "No"):
        assert len(tok.encode(w)) == 1, w
    return tok


def prompt(task, image_text, category):
    t = exporter.TASKS_26[task]
    q = "" if category is None else "\n" + t["question"].format(category=category)
    return exporter.CHAT_TEMPLATE_26.format(image=image_text, instruction=t["instruction"], question=q)


def _f(xs):
    return [float("%.7g" % v) for v in xs]


def case(model, tok, out, name, scene, task, cat, marks):
    """One golden case, or None when its greedy run meets a near-tie before MIN_TOKENS tokens."""
    starts, ends, stops = marks
    scene.save(os.path.join(out, name))
    img = Image.open(os.path.join(out, name)).convert("RGB")        # the pixels Java decodes
    plan, images, _ = slicing.slice_image(img, exporter.TASKS_26[task]["maxSliceNums"], SCALE)
    strips, tgts = zip(*(slicing.to_strip(im) for im in images))
    pv, mask = model.pad([torch.from_numpy(s) for s in strips])
    feats = model.encode(pv, mask, torch.tensor(tgts, dtype=torch.int64))
    ids = tok.encode(prompt(task, slicing.placeholder(plan, model.config.query_num), cat))
    toks, steps = model.greedy(model.embed(ids, feats, starts, ends), 1 if task == "moderation" else MAX_NEW, stops)
    margins = [float(s.topk(2).values[0] - s.topk(2).values[1]) for s in steps]
    # the golden stops before the first near-tie: tokens there would be decided by rounding, not the model
    keep = next((k for k, mg in enumerate(margins) if mg < MIN_MARGIN), len(toks))
    if keep < min(len(toks), MIN_TOKENS):
        return None
    print(name, "tokens", toks[:keep], "margins", " ".join("%.2f" % x for x in margins), file=sys.stderr)
    c = {"name": name[:-4], "image": name, "task": task, "imageSize": list(img.size), "grid": plan["grid"],
         "tgtSizes": [list(t) for t in tgts], "promptIds": ids, "outputIds": toks[:keep],
         "outputText": tok.decode([t for t in toks[:keep] if t not in stops]),
         "minTop2Margin": round(min(margins[:keep]), 4),
         "imageFeaturesFirst8": _f(feats[0, 0, :8].tolist()), "imageFeaturesLastFirst8": _f(feats[-1, -1, :8].tolist())}
    if cat is not None:
        c["category"] = cat
        yn = torch.softmax(steps[0][[tok.id("Yes"), tok.id("No")]], dim=0)
        c["pYes"] = round(float(yn[0]), 6)
        # P(Yes) of a random model is near 0 or 1; its log-odds (the logit difference) shows errors there too
        c["yesMinusNoLogit"] = float("%.7g" % float(steps[0][tok.id("Yes")] - steps[0][tok.id("No")]))
    return c


def goldens(model, tok, out):
    os.makedirs(out, exist_ok=True)
    marks = ({tok.id("<image>"), tok.id("<slice>")}, {tok.id("</image>"), tok.id("</slice>")},
             {tok.id("<|im_end|>"), tok.id("<|endoftext|>")})
    cases = []
    for k, (name, w, h, task, cat) in enumerate(CASES):
        # the first image of a fixed seed sequence whose greedy run keeps MIN_TOKENS tokens clear of near-ties
        for seed in range(SEED * 1000 + 100 * k, SEED * 1000 + 100 * k + 100):
            c = case(model, tok, out, name, data.make_scene(random.Random(seed), w, h)[0], task, cat, marks)
            if c is not None:
                break
        c["imageSeed"] = seed
        cases.append(c)
    # teacher-forced logits of a text-only prompt (the <unk> rows keep their token embedding): prefill, then
    # one decode step per forced token
    ids = tok.encode(prompt("caption", slicing.placeholder({"grid": None}, 2), None))
    forced = [tok.id("Yes"), tok.id("No"), tok.encode(" image")[0]]
    steps = []
    with torch.no_grad():
        for n in range(len(forced) + 1):
            seq = torch.tensor([ids + forced[:n]])
            steps.append(_f(model.llm(model.llm.model.embed_tokens(seq))[0, -1].tolist()))
    doc = {"model": "minicpm-v-2.6-replica", "seed": SEED,
           "notes": "PyTorch float32 outputs of glimpse_train.replica26 (HF-semantics forward, no KV cache). "
                    "outputIds: greedy tokens (at most %d; moderation: the one scored token) up to the first step whose "
                    "top-1 minus top-2 logit is below %.2f (a near-tie), minTop2Margin: the smallest margin kept; pYes: softmax over the "
                    "(Yes, No) logits (yesMinusNoLogit: their difference, the log-odds) of the first answer position. textLogits: last-position logits of promptIds "
                    "+ forced[:n] for n = 0..len(forced)." % (MAX_NEW, MIN_MARGIN),
           "cases": cases, "textLogits": {"promptIds": ids, "forced": forced, "steps": steps}}
    with open(os.path.join(out, "golden.json"), "w") as f:
        f.write(dumps(doc))


def main(out):
    torch.use_deterministic_algorithms(True)
    os.makedirs(out, exist_ok=True)
    tok = train_tokenizer()
    tok_path = os.path.join(out, "tokenizer-src.json")
    tok.save(tok_path)
    fp32, fp16 = os.path.join(out, "fp32"), os.path.join(out, "fp16")
    for precision, path in (("float32", fp32), ("float16", fp16)):
        exporter.main(["--replica", str(SEED), "--replica-tokenizer", tok_path, "--device", "cpu",
                       "--precision", precision, "--out", path])
    with open(os.path.join(fp32, "model.json")) as f:
        m = json.load(f)
    model = replica26.build(len(tok.vocab), SEED)
    goldens(model, tok, os.path.join(out, "golden"))
    print("vocab", len(tok.vocab), "model", m["name"], file=sys.stderr)


if __name__ == "__main__":
    np.random.seed(0)
    main(sys.argv[1])
