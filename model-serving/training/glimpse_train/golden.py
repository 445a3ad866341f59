"""Golden files for the Java tests (model-serving/models/glimpse-tiny/golden/) and raw tensors for the ONNX
check (CheckModel.java; written to a directory outside the repo)."""
import json
import os
import random

import numpy as np
import torch
from PIL import Image

from . import data
from .export import dumps
from .infer import generate

GOLDEN_SEED = 800_000_000        # never used by training (training seeds are seed*1_000_003 + step)


def golden_images():
    """(name, PIL image, task, categories) for the fixed golden cases."""
    out = []
    rng = random.Random(GOLDEN_SEED)
    out.append(("caption_112x112.png", data.make_scene(rng, 112, 112)[0], "caption", [None]))
    out.append(("caption_96x120.png", data.make_scene(rng, 96, 120)[0], "caption", [None]))
    out.append(("caption_210x150_sliced.png", data.make_scene(rng, 210, 150)[0], "caption", [None]))
    rng = random.Random(GOLDEN_SEED + 1)
    out.append(("ocr_word.png", data.make_ocr_word(rng)[0], "ocr", [None]))
    img, text, _ = data.make_ocr_line(rng)
    out.append(("ocr_line_sliced.png", img, "ocr", [None]))
    rng = random.Random(GOLDEN_SEED + 2)
    img, _ = data.make_scene(rng, 112, 112)
    data.draw_symbol(rng, img, "skull")
    out.append(("moderation_scene_skull.png", img, "moderation", ["skull", "radiation"]))
    img, _, _ = data.make_ocr_page(rng)
    data.draw_symbol(rng, img, "biohazard")
    out.append(("moderation_page_biohazard.png", img, "moderation", ["biohazard", "weapons"]))
    return out


def _f(x):
    return [float("%.7g" % v) for v in x]


def write(model, tok, golden_dir, verify_dir=None, version=""):
    os.makedirs(golden_dir, exist_ok=True)
    if verify_dir:
        os.makedirs(verify_dir, exist_ok=True)
    cases, verify = [], []
    for name, img, task, cats in golden_images():
        path = os.path.join(golden_dir, name)
        img.save(path)
        img = Image.open(path).convert("RGB")        # use exactly the pixels Java will decode
        enc = None
        for cat in cats:
            r = generate(model, tok, img, task, category=cat, enc=enc)
            enc = r["enc"]
            p = enc["plan"]
            pv = enc["pixel_values"]
            n0 = int(enc["tgt_sizes"][0, 0] * enc["tgt_sizes"][0, 1]) * 14
            s0 = pv[0, :, :, :n0]
            feats = enc["features"]
            case = {
                "name": name[:-4] + ("" if cat is None else "_" + cat), "image": name, "task": task,
                "imageSize": list(img.size), "maxSliceNums": {"caption": 4, "ocr": 9, "moderation": 4}[task],
                "grid": list(p["grid"]) if p["grid"] else None, "overview": list(p["overview"]),
                "slice": list(p["slice"]) if p["slice"] else None,
                "tgtSizes": enc["tgt_sizes"].tolist(),
                "pixelValuesSlice0": {"shape": [3, 14, n0], "sum": float(s0.double().sum()),
                                      "first8": _f(s0[0, 0, :8].tolist()),
                                      "layout": "first8 = channel 0, row 0 of the strip, columns 0..7"},
                "imageFeaturesFirst8": _f(feats[0, 0, :8].tolist()),
                "imageFeaturesLastSliceFirst8": _f(feats[-1, 0, :8].tolist()),
                "promptIds": r["prompt_ids"], "outputIds": r["output_ids"], "outputText": r["text"],
            }
            if cat is not None:
                case["category"] = cat
                case["pYes"] = r["p_yes"]
            cases.append(case)
            if verify_dir:
                k = len(verify)
                base = os.path.join(verify_dir, "case%02d" % k)
                pv.numpy().astype("<f4").tofile(base + "_pixel_values.bin")
                enc["patch_mask"].numpy().astype("<i8").tofile(base + "_patch_mask.bin")
                feats.numpy().astype("<f4").tofile(base + "_features.bin")
                with torch.no_grad():
                    ids = torch.tensor([r["prompt_ids"]])
                    e = model.embed_with_images(ids, feats, tok.id("<unk>"))
                    T = ids.shape[1]
                    lg, _ = model.decoder(e, torch.ones(1, T, dtype=torch.int64), torch.arange(T).unsqueeze(0))
                lg[0].numpy().astype("<f4").tofile(base + "_prefill_logits.bin")
                verify.append({"name": case["name"], "pixelShape": list(pv.shape), "maskShape": list(enc["patch_mask"].shape),
                               "tgtSizes": case["tgtSizes"], "featuresShape": list(feats.shape),
                               "logitsShape": [T, lg.shape[-1]], "promptIds": r["prompt_ids"],
                               "outputIds": r["output_ids"], "files": "case%02d" % k})
    doc = {"model": "glimpse-tiny", "version": version,
           "notes": "Reference outputs of the PyTorch model. Images: PNG in this folder, decode -> RGB. "
                    "pixelValuesSlice0 = normalised overview strip (3,14,L*14). imageFeatures* = "
                    "image_features[0][0][:8] (overview) and image_features[N-1][0][:8] (last slice). "
                    "outputIds = greedy tokens incl. the stop token; pYes = softmax over the (yes,no) logits of "
                    "the first answer position.",
           "cases": cases}
    with open(os.path.join(golden_dir, "golden.json"), "w") as f:
        f.write(dumps(doc))
    if verify_dir:
        with open(os.path.join(verify_dir, "verify.json"), "w") as f:
            json.dump({"cases": verify}, f)
    return cases


def tokenizer_cases(tok, golden_cases, n_random=200, seed=700_000_000):
    """Texts + Python ids for the DJL parity check."""
    from .data import make_sample
    rng = random.Random(seed)
    texts = []
    for c in golden_cases:
        texts.append(tok.decode(c["promptIds"], skip_special=False))
    for i in range(n_random):
        t = ["caption", "moderation", "ocr_word", "ocr_line", "ocr_page"][i % 5]
        s = make_sample(rng, t)
        texts.append(s["answer"])
        texts.append(data.build_prompt(s["task"], "<image_id>0</image_id><image><unk></image>", s.get("category"))
                     + s["answer"] + "<|im_end|>")
    texts += ["yes", "no", " 0123456789", "a  b   c\n\nd \n", "Hello, World! 42x"]
    return [{"text": t, "ids": tok.encode(t)} for t in texts]
