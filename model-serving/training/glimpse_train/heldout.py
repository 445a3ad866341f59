"""Held-out sets that do not share the training distribution (issue #22), one per factor.

Each factor changes one thing against version 1's data (glimpse_train/data.py, the shipped models' training data,
whose look BASE keeps: near-white grey canvas, dark grey ink, margins about half the font size, no free canvas
space): where related objects sit, the frame's size and aspect, the background's tint, the font size, the
typeface, the canvas width around text, version 2's look, the image scale, JPEG compression, the symbol's design
and size. Outside both version 1 and version 2 (varied.TRAIN): two-object scenes with both objects in the middle
third, frames wider than 320 px with aspect up to 4:1, canvases 2-3x as wide as their text, and the FreeFont family
(fonts-freefont-ttf), which neither version uses. Font sizes 16-40 px are drawn continuously (version 1: 18-24).
Scale and JPEG are applied to version 1 images at one strength each (1.5x bicubic upscale; JPEG quality 75).
Seeds 950,000,000+ are used by nothing else.

FACTORS[task] = [(name, what, make(rng) -> sample dict as data.make_sample)]; evaluate.py --suite heldout runs them.
"""
import random
from dataclasses import replace

import numpy as np
from PIL import Image

from . import data, varied

HELDOUT_SEED = 950_000_000
CLEAN = replace(varied.TRAIN, scale=(1.0, 1.0), jpeg=0.0, noise=0.0, blur=0.0, rotate=0.0, symbol_rotation=0.0)
BASE = replace(CLEAN, grey=True, margin=(0.3, 0.7), free_width=(0.0, 0.0))
MIDDLE = replace(BASE, pair_zone=(1 / 3, 2 / 3), pair_radius=(0.045, 0.07), min_gap=0.03)
WIDE_FRAME = replace(BASE, scene_side=(112, 448), scene_max_aspect=4.0)
WIDE_CANVAS = replace(BASE, free_width=(1.0, 2.0))


def upscale(img, factor=1.5):
    w, h = img.size
    return img.resize((round(w * factor), round(h * factor)), Image.BICUBIC)


def retint(img, rng):
    """Version 1's uniform background replaced by version 2's tinted (gradient, speckled) canvas."""
    arr = np.asarray(img).copy()
    bg = arr[0, 0].copy()
    tint = np.asarray(varied.light_background(rng, img.size[0], img.size[1]))
    same = (np.abs(arr.astype(np.int16) - bg.astype(np.int16)).max(axis=2) <= 2)
    arr[same] = tint[same]
    return Image.fromarray(arr)


def _caption(img, cap):
    return dict(image=img, task="caption", answer=cap, max_slices=4)


def _two_objects(make, rng):
    """Redraws until the scene has two objects (the layout factors are about relations)."""
    while True:
        img, cap = make(rng)
        if len(cap.split()) > 3:
            return _caption(img, cap)


def _wide_frame(rng):
    while True:
        w, h = rng.randint(336, 448), rng.randint(112, 224)
        if w / h <= WIDE_FRAME.scene_max_aspect:
            return w, h


def _v1_scene(rng, post):
    img, cap = data.make_scene(rng, *data.scene_size(rng))
    return _caption(post(img, rng), cap)


CAPTION = [
    ("relation_middle_third", "two objects, both centres in the middle third of a 96-128 px frame (min gap 3%)",
     lambda rng: _two_objects(lambda r: varied.make_scene(r, r.randint(96, 128), r.randint(96, 128), MIDDLE), rng)),
    ("frame_wide", "two objects anywhere (min gap 4%) in frames of 336-448 x 112-224 px (aspect up to 4:1)",
     lambda rng: _two_objects(lambda r: varied.make_scene(r, *_wide_frame(r), r=WIDE_FRAME), rng)),
    ("background_tinted", "version 1 scenes on tinted light backgrounds (some gradients, speckles)",
     lambda rng: _v1_scene(rng, retint)),
    ("scale_1.5x", "version 1 scenes upscaled 1.5x (bicubic)", lambda rng: _v1_scene(rng, lambda i, r: upscale(i))),
    ("jpeg_q75", "version 1 scenes as JPEG quality 75", lambda rng: _v1_scene(rng, lambda i, r: varied.jpeg(i, 75))),
]


def _ocr(rng, k, face="DejaVuSans.ttf", size=(18, 24), r=BASE):
    """A line of 14-24 characters (even k) or a page of 2-3 lines of 6-14 (odd k), as version 1 draws them, in
    the given face, size range and look."""
    size = rng.randint(*size)
    if k % 2 == 0:
        text = data.random_line(rng, 14, 24)
        img, _ = varied.render_text(rng, [text], r, size, face, centre=False)
        return dict(image=img, task="ocr", kind="ocr_line", answer=text, max_slices=9)
    lines = [data.random_line(rng, 6, 14) for _ in range(rng.randint(2, 3))]
    img, _ = varied.render_text(rng, lines, r, size, face, centre=False)
    return dict(image=img, task="ocr", kind="ocr_page", answer="\n".join(lines), max_slices=9)


def _v1_ocr(rng, k, post):
    img, text, _ = data.make_ocr_line(rng) if k % 2 == 0 else data.make_ocr_page(rng)
    return dict(image=post(img), task="ocr", kind="ocr_line" if k % 2 == 0 else "ocr_page", answer=text,
                max_slices=9)


OCR = [
    ("size_16-22px", "DejaVu Sans 16-22 px", lambda rng, k: _ocr(rng, k, size=(16, 22))),
    ("size_23-30px", "DejaVu Sans 23-30 px", lambda rng, k: _ocr(rng, k, size=(23, 30))),
    ("size_31-40px", "DejaVu Sans 31-40 px", lambda rng, k: _ocr(rng, k, size=(31, 40))),
    ("face_DejaVuSerif", "DejaVu Serif 18-24 px (version 2 trains it, version 1 does not)",
     lambda rng, k: _ocr(rng, k, "DejaVuSerif.ttf")),
    ("face_FreeSerif", "FreeSerif 18-24 px (no version trains it)", lambda rng, k: _ocr(rng, k, "FreeSerif.ttf")),
    ("face_FreeSans", "FreeSans 18-24 px (no version trains it)", lambda rng, k: _ocr(rng, k, "FreeSans.ttf")),
    ("canvas_wide", "DejaVu Sans 18-24 px on canvases 2-3x the text's width",
     lambda rng, k: _ocr(rng, k, r=WIDE_CANVAS)),
    ("look_v2", "DejaVu Sans 18-24 px in version 2's look: tinted canvas, inks of any dark hue, margins 0.1-1.5x "
     "the font size, up to 60% free width", lambda rng, k: _ocr(rng, k, r=CLEAN)),
    ("scale_1.5x", "version 1 lines/pages upscaled 1.5x (bicubic)", lambda rng, k: _v1_ocr(rng, k, upscale)),
    ("jpeg_q75", "version 1 lines/pages as JPEG quality 75",
     lambda rng, k: _v1_ocr(rng, k, lambda i: varied.jpeg(i, 75))),
    # last, so that adding it kept the seeds of the factors above (a factor's seed follows its index)
    ("reference_18-24px", "DejaVu Sans 18-24 px in version 1's look through this renderer: the rows above change "
     "one thing each against it", lambda rng, k: _ocr(rng, k)),
]


def _v1_moderation(rng, cat, post):
    img, cat, ans = data.make_moderation(rng, cat)
    return dict(image=post(img), task="moderation", category=cat, answer=ans, max_slices=4)


def _v2_moderation(rng, cat, size, face=None):
    img, cat, ans = varied.make_moderation(rng, cat, BASE, symbol_size=rng.randint(*size), symbol_face=face)
    return dict(image=img, task="moderation", category=cat, answer=ans, max_slices=4)


MODERATION = [
    ("scale_1.5x", "version 1 images upscaled 1.5x (bicubic)", lambda rng, c: _v1_moderation(rng, c, upscale)),
    ("jpeg_q75", "version 1 images as JPEG quality 75",
     lambda rng, c: _v1_moderation(rng, c, lambda i: varied.jpeg(i, 75))),
    ("symbol_FreeSerif", "symbols in FreeSerif's glyph designs (no version trains them), 26-42 px",
     lambda rng, c: _v2_moderation(rng, c, (26, 42), "FreeSerif.ttf")),
    ("symbol_small", "DejaVu Sans symbols of 14-20 px", lambda rng, c: _v2_moderation(rng, c, (14, 20), "DejaVuSans.ttf")),
]

FACTORS = {"caption": CAPTION, "ocr": OCR, "moderation": MODERATION}


def samples(task, index, n):
    """The first n samples of factor `index` of `task`, from its own seed."""
    name, what, make = FACTORS[task][index]
    rng = random.Random(HELDOUT_SEED + 1000 * list(FACTORS).index(task) + index)
    cats = list(data.CATEGORIES)
    for k in range(n):
        if task == "caption":
            yield make(rng)
        elif task == "ocr":
            yield make(rng, k)
        else:
            yield make(rng, cats[k % len(cats)])
