#!/usr/bin/python3
"""Exports a training checkpoint to the bundled model directory: ONNX graphs, model.json, golden files.

usage: export_model.py --ckpt CKPT --model-dir ../models/glimpse-tiny [--version 0.1.0]
                       [--verify-out DIR] [--train-log CSV]
--verify-out writes raw tensors + tokenizer texts for CheckModel.java (keep it outside the repo).
"""
import argparse
import csv
import json
import os

import torch

from glimpse_train import export, golden
from glimpse_train.infer import load_model
from glimpse_train.tokenizer import Tokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--verify-out")
    ap.add_argument("--train-log")
    ap.add_argument("--extra-training-json", help="json file merged into model.json's training section")
    ap.add_argument("--eval-json", help="evaluate.py output: summary into model.json, copy to eval-heldout.json")
    a = ap.parse_args()
    torch.set_num_threads(2)
    model, ck = load_model(a.ckpt)
    tok = Tokenizer.load(os.path.join(a.model_dir, "tokenizer.json"))
    assert len(tok.vocab) == model.c.vocab
    batch = ck.get("batch") or 8
    if str(ck.get("schedule", "")).startswith("time-based"):
        schedule = ("AdamW, %d warm-up steps, cosine to 10%% over a %s slot (%d steps), text lines/pages from step %d, "
                    "clip 1.0" % (ck["warmup"], ck["schedule"].split(", ", 1)[1], ck["step"], ck["lines_from"]))
    else:
        schedule = ("AdamW, %d warm-up steps, cosine to 10%% over %s steps, clip 1.0"
                    % (ck.get("warmup") or 50, ck.get("total_steps") or 900))
    training = {"seed": ck.get("seed"), "steps": ck["step"], "minutes": round(ck.get("train_minutes", 0.0), 1),
                "batch": batch, "lr": ck.get("lr") or 2e-3, "images": ck.get("images") or ck["step"] * batch,
                "schedule": schedule,
                "auxLosses": "per-patch OCR char + scene class heads on ViT outputs, CTC (OCR chars, scene symbols) "
                             "on resampler outputs; weight 1.0 -> 0.3; not exported",
                "hardware": "2 shared CPU cores (x86-64), PyTorch 1.13.1 CPU (Debian), OpenBLAS-openmp"
                            if str(ck.get("device", "cpu")) == "cpu" else "one CUDA GPU (%s)" % ck.get("device"),
                "data": "synthetic (captions: shape scenes; OCR: DejaVu Sans text; moderation: DejaVu symbols)"
                        if ck.get("data_version", 1) == 1 else
                        "synthetic, data version 2 (glimpse_train/varied.py: relations anywhere in frames of varied "
                        "size and aspect; text 14-48 px in 10 DejaVu/Liberation faces; symbols 14-64 px, rotated; "
                        "rescaling, JPEG, noise, blur, small rotations)"}
    if len(ck.get("data_mix") or ()) > 1:
        training["data"] = ("synthetic, data versions mixed per batch (%s; version 1: glimpse_train/data.py, "
                            "version 2: glimpse_train/varied.py)"
                            % ",".join("%d=%g" % (v, w) for v, w in ck["data_mix"]))
    if a.eval_json:
        with open(a.eval_json) as f:
            ev = json.load(f)
        training["heldOut"] = {"captionExactMatch": ev["caption"]["exact_match"], "captionN": ev["caption"]["n"],
                               "moderationF1": ev["moderation"]["f1"], "moderationAuc": ev["moderation"]["roc_auc"],
                               "moderationN": ev["moderation"]["n"], "ocrCerSliced": ev["ocr"]["cer_sliced"],
                               "ocrCerOverviewOnly": ev["ocr"]["cer_overview_only"], "ocrN": ev["ocr"]["n"]}
        if "cer_sliced_pages" in ev["ocr"]:     # evaluate.py from 0.4.1 on
            training["heldOut"].update(ocrCerSlicedLines=ev["ocr"]["cer_sliced_lines"],
                                       ocrCerSlicedPages=ev["ocr"]["cer_sliced_pages"])
        with open(os.path.join(a.model_dir, "eval-heldout.json"), "w") as f:
            json.dump(ev, f, indent=1)
    if a.extra_training_json:
        with open(a.extra_training_json) as f:
            training.update(json.load(f))
    export.export_all(model, a.model_dir, a.version, training)
    cases = golden.write(model, tok, os.path.join(a.model_dir, "golden"), a.verify_out, a.version)
    if a.verify_out:
        with open(os.path.join(a.verify_out, "tokenizer_cases.json"), "w") as f:
            json.dump(golden.tokenizer_cases(tok, cases), f)
    if a.train_log:      # rows logged after the last checkpoint of an interrupted run appear twice: keep the last
        with open(a.train_log) as f:
            rows = list(csv.reader(f))
        by_step = {}
        for r in rows[1:]:
            by_step[int(r[0])] = r
        with open(os.path.join(a.model_dir, "training-log.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(rows[0])
            for s in sorted(by_step):
                w.writerow(by_step[s])
    for c in cases:
        print(c["name"], c["tgtSizes"], repr(c["outputText"]), c.get("pYes"))


if __name__ == "__main__":
    main()
