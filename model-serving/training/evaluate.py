#!/usr/bin/python3
"""Held-out evaluation of a checkpoint (seeds never used in training).

usage: evaluate.py --ckpt CKPT --tokenizer TOKENIZER_JSON [--n-caption 200] [--n-moderation 200] [--n-ocr 100]
                   [--json OUT.json]
       evaluate.py --suite heldout --ckpt CKPT --tokenizer TOKENIZER_JSON [--n-per-factor 40] [--tasks caption,ocr,moderation]
                   [--json OUT.json]
       evaluate.py --suite version2-ocr --ckpt CKPT --tokenizer TOKENIZER_JSON [--n-per-factor 20] [--json OUT.json]
--suite standard (the default) draws the held-out sets from the training generator (data version 1) with seeds never
used in training: the in-distribution figures. --suite heldout runs glimpse_train/heldout.py's sets, one per factor
(layout, frame, font size, typeface, canvas width, scale, JPEG, symbol design and size), whose ranges no training
run drew from. --suite version2-ocr reads data version 2's own lines and pages (glimpse_train/varied.py, fresh seeds)
by font-size band, as trained ("train": scaling, JPEG, noise, blur, rotation) and without those ("clean"): whether a
run has learnt what it was trained on, apart from how far that carries to the held-out sets.
Metrics: caption exact match; moderation precision/recall/F1 at P(yes) >= 0.5 (P(yes) = softmax over the yes/no
logits of the first answer position); OCR CER (edit distance / reference length) of the decoder's greedy answer on
held-out text lines/pages that need slicing, with slicing (maxSliceNums 9) and overview-only (maxSliceNums 1);
plus the CTC read-out CER of the resampler outputs (auxiliary head, not exported) for the same images.
"""
import argparse
import json
import os
import random
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch

from glimpse_train import batching, data, heldout, varied
from glimpse_train.batching import CHAR_CLASS
from glimpse_train.infer import encode_image, generate, load_model
from glimpse_train.metrics import edit_distance
from glimpse_train.tokenizer import Tokenizer

EVAL_SEED = 900_000_000
VERSION2_SEED = 960_000_000      # --suite version2-ocr; used by nothing else
INV_CLASS = {v: k for k, v in CHAR_CLASS.items()}


def auc(pairs):
    pos = [p for p, t in pairs if t]
    neg = [p for p, t in pairs if not t]
    if not pos or not neg:
        return None
    return sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))


def ctc_readout(model, feats, slices_only, char_ids=None):
    rows = feats[1:] if slices_only and feats.shape[0] > 1 else feats[:1]
    with torch.no_grad():
        best = model.ocr_ctc_logits(rows, char_ids).argmax(-1)
    parts = []
    for r in best.tolist():
        s, prev = [], 0
        for c in r:
            if c != prev and c != 0:
                s.append(INV_CLASS[c])
            prev = c
        parts.append("".join(s))
    return " ".join(p for p in parts if p)


def heldout_suite(model, tok, n, tasks, only=None):
    """Per factor of glimpse_train/heldout.py: captions exact / relation right, OCR CER (sliced, by kind) and exact,
    moderation F1 and accuracy."""
    res = {}
    t0 = time.time()
    for task in tasks:
        for i, (name, what, _) in enumerate(heldout.FACTORS[task]):
            if only and name not in only and "%s/%s" % (task, name) not in only:
                continue
            hits = rel = n_two = 0
            err = {"all": [0, 0], "ocr_line": [0, 0], "ocr_page": [0, 0], "grid": [0, 0], "no_grid": [0, 0]}
            tp = fp = fn = sliced = 0
            sample_out = []
            for s in heldout.samples(task, i, n):
                if task == "caption":
                    out = generate(model, tok, s["image"], "caption")["text"]
                    hits += out == s["answer"]
                    rw, ow = s["answer"].split(), out.split()
                    if len(rw) > 3:
                        n_two += 1
                        rel += len(ow) > 3 and ow[3] == rw[3]
                elif task == "ocr":
                    g = generate(model, tok, s["image"], "ocr", max_slices=s["max_slices"])
                    out = g["text"]
                    grid = g["enc"]["plan"]["grid"] is not None
                    sliced += grid
                    d = edit_distance(out, s["answer"])
                    for key in ("all", s["kind"], "grid" if grid else "no_grid"):
                        err[key][0] += d
                        err[key][1] += len(s["answer"])
                    hits += out == s["answer"]
                else:
                    p = generate(model, tok, s["image"], "moderation", category=s["category"])["p_yes"]
                    out, truth = p >= 0.5, s["answer"] == "yes"
                    hits += out == truth
                    tp += out and truth
                    fp += out and not truth
                    fn += (not out) and truth
                if len(sample_out) < 2:
                    sample_out.append([s["answer"], out if task != "moderation" else round(p, 3)])
            r = {"what": what, "n": n, "samples": sample_out}
            if task == "caption":
                r.update(exact_match=hits / n, relation_acc=rel / max(1, n_two), n_two_object=n_two)
            elif task == "ocr":
                r.update(cer=err["all"][0] / max(1, err["all"][1]), exact=hits / n,
                         cer_lines=err["ocr_line"][0] / max(1, err["ocr_line"][1]),
                         cer_pages=err["ocr_page"][0] / max(1, err["ocr_page"][1]), sliced_share=sliced / n,
                         cer_when_sliced=err["grid"][0] / err["grid"][1] if err["grid"][1] else None,
                         cer_when_not_sliced=err["no_grid"][0] / err["no_grid"][1] if err["no_grid"][1] else None)
            else:
                prec, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
                r.update(f1=2 * prec * recall / max(1e-9, prec + recall), accuracy=hits / n, positives=tp + fn)
            res.setdefault(task, {})[name] = r
            print(task, name, {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()
                               if k not in ("samples", "what")}, "%.0fs" % (time.time() - t0), flush=True)
    return res


def version2_ocr_suite(model, tok, n):
    """OCR CER on version 2 lines (even samples) and pages (odd) per font-size band, with and without the
    training augmentations; n samples per band and look."""
    res = {}
    t0 = time.time()
    for look, r in (("train", varied.TRAIN), ("clean", heldout.CLEAN)):
        for lo, hi in ((14, 22), (23, 32), (33, 48)):
            errors = total = 0
            for i in range(n):
                rng = random.Random(VERSION2_SEED + 1000 * lo + i)
                make = varied.make_ocr_line if i % 2 == 0 else varied.make_ocr_page
                img, text, _ = make(rng, r, size=rng.randint(lo, hi))
                errors += edit_distance(generate(model, tok, img, "ocr", max_slices=9)["text"], text)
                total += len(text)
            key = "%s_%d-%dpx" % (look, lo, hi)
            res[key] = {"n": n, "cer": errors / max(1, total)}
            print("ocr version2", key, res[key], "%.0fs" % (time.time() - t0), flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", choices=("standard", "heldout", "version2-ocr"), default="standard")
    ap.add_argument("--n-per-factor", type=int, default=40,
                    help="--suite heldout: samples per factor; version2-ocr: per font-size band and look")
    ap.add_argument("--tasks", default="caption,ocr,moderation", help="--suite heldout: which tasks")
    ap.add_argument("--factors", help="--suite heldout: only these factors (name or task/name, comma-separated)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--n-caption", type=int, default=200)
    ap.add_argument("--n-moderation", type=int, default=200)
    ap.add_argument("--n-ocr", type=int, default=100)
    ap.add_argument("--json")
    ap.add_argument("--device", default="cpu", help="cpu (the reference numbers) or cuda")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, ck = load_model(a.ckpt, a.device)
    tok = Tokenizer.load(a.tokenizer)
    # the read-out uses the CTC head the checkpoint was trained with
    char_ids = torch.tensor(batching.ocr_char_token_ids(tok), device=a.device) if ck.get("ctc_tied") else None
    res = {"checkpoint_step": ck["step"], "train_minutes": round(ck.get("train_minutes", 0), 1),
           "device": a.device}
    t0 = time.time()
    if a.suite == "heldout":
        res["suite"] = "heldout (glimpse_train/heldout.py)"
        res.update(heldout_suite(model, tok, a.n_per_factor, [t for t in a.tasks.split(",") if t],
                                 a.factors and a.factors.split(",")))
    elif a.suite == "version2-ocr":
        res["suite"] = "version2-ocr (glimpse_train/varied.py)"
        res["ocr_version2"] = version2_ocr_suite(model, tok, a.n_per_factor)
    if a.suite != "standard":
        res["eval_seconds"] = round(time.time() - t0)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=1)
        return
    # captions
    rng = random.Random(EVAL_SEED)
    exact, samples = 0, []
    part = {"first_color": 0, "first_shape": 0, "object_count": 0, "relation": 0, "n_two": 0}
    for i in range(a.n_caption):
        img, cap = data.make_scene(rng, *data.scene_size(rng))
        out = generate(model, tok, img, "caption")["text"]
        exact += out == cap
        rw, ow = cap.split(), out.split()
        part["first_color"] += len(ow) > 1 and ow[1] == rw[1]
        part["first_shape"] += len(ow) > 2 and ow[2] == rw[2]
        part["object_count"] += (len(rw) > 3) == (len(ow) > 3)
        if len(rw) > 3:
            part["n_two"] += 1
            part["relation"] += len(ow) > 3 and ow[3] == rw[3]
        if i < 5:
            samples.append([cap, out])
    res["caption"] = {"n": a.n_caption, "exact_match": exact / max(1, a.n_caption),
                      "first_color_acc": part["first_color"] / max(1, a.n_caption),
                      "first_shape_acc": part["first_shape"] / max(1, a.n_caption),
                      "object_count_acc": part["object_count"] / max(1, a.n_caption),
                      "relation_acc_on_two_object_scenes": part["relation"] / max(1, part["n_two"]),
                      "samples": samples}
    print("caption", res["caption"], "%.0fs" % (time.time() - t0), flush=True)
    # moderation
    rng = random.Random(EVAL_SEED + 1)
    tp = fp = fn = tn = 0
    per_cat = {c: [0, 0] for c in data.CATEGORIES}
    pys = []
    cats = list(data.CATEGORIES)
    for i in range(a.n_moderation):
        img, cat, ans = data.make_moderation(rng, cats[i % len(cats)])
        p = generate(model, tok, img, "moderation", category=cat)["p_yes"]
        pys.append((p, ans == "yes"))
        pred = p >= 0.5
        truth = ans == "yes"
        tp += pred and truth
        fp += pred and not truth
        fn += (not pred) and truth
        tn += (not pred) and not truth
        per_cat[cat][0] += pred == truth
        per_cat[cat][1] += 1
    prec = tp / max(1, tp + fp)
    rec = tp / max(1, tp + fn)
    res["moderation"] = {"n": a.n_moderation, "precision": prec, "recall": rec,
                         "f1": 2 * prec * rec / max(1e-9, prec + rec), "accuracy": (tp + tn) / max(1, a.n_moderation),
                         "per_category_accuracy": {c: v[0] / max(1, v[1]) for c, v in per_cat.items()},
                         "mean_p_yes_when_yes": sum(p for p, t in pys if t) / max(1, sum(1 for _, t in pys if t)),
                         "mean_p_yes_when_no": sum(p for p, t in pys if not t) / max(1, sum(1 for _, t in pys if not t)),
                         "roc_auc": auc(pys)}
    print("moderation", res["moderation"], "%.0fs" % (time.time() - t0), flush=True)
    # OCR on lines/pages that need slicing
    rng = random.Random(EVAL_SEED + 2)
    agg = {"sliced": [0, 0], "overview_only": [0, 0], "ctc_slices": [0, 0], "ctc_overview": [0, 0],
           "sliced_lines": [0, 0], "sliced_pages": [0, 0]}
    exact = {"sliced": 0, "overview_only": 0}
    samples = []
    for i in range(a.n_ocr):
        kind = "sliced_lines" if i % 2 == 0 else "sliced_pages"     # pages (2-3 lines) are the harder half
        img, text, _ = (data.make_ocr_line(rng) if kind == "sliced_lines" else data.make_ocr_page(rng))
        ref = text
        for mode, ms in (("sliced", 9), ("overview_only", 1)):
            enc = encode_image(model, img, ms)
            assert (enc["plan"]["grid"] is not None) == (ms > 1), "held-out OCR image does not need slicing"
            out = generate(model, tok, img, "ocr", max_slices=ms, enc=enc)["text"]
            dist = edit_distance(out, ref)
            agg[mode][0] += dist
            agg[mode][1] += len(ref)
            exact[mode] += out == ref
            if ms > 1:
                agg[kind][0] += dist
                agg[kind][1] += len(ref)
            flat = ref.replace("\n", " ")
            key = "ctc_slices" if ms > 1 else "ctc_overview"
            agg[key][0] += edit_distance(ctc_readout(model, enc["features"], ms > 1, char_ids), flat)
            agg[key][1] += len(flat)
            if i < 4:
                samples.append([mode, ref, out])
    def rate(errors, total):        # 0 for an empty set (--n-ocr 0 or 1), as the caption/moderation parts report
        return errors / max(1, total)

    res["ocr"] = {"n": a.n_ocr, "cer_sliced": rate(*agg["sliced"]), "cer_overview_only": rate(*agg["overview_only"]),
                  "exact_sliced": rate(exact["sliced"], a.n_ocr),
                  "exact_overview_only": rate(exact["overview_only"], a.n_ocr),
                  "ctc_readout_cer_slices": rate(*agg["ctc_slices"]),
                  "ctc_readout_cer_overview": rate(*agg["ctc_overview"]),
                  "cer_sliced_lines": rate(*agg["sliced_lines"]), "cer_sliced_pages": rate(*agg["sliced_pages"]),
                  "samples": samples}
    print("ocr", res["ocr"], "%.0fs" % (time.time() - t0), flush=True)
    res["eval_seconds"] = round(time.time() - t0)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
