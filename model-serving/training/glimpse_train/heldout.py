"""Held-out sets that do not share the training distribution (issue #22), one per factor.

Each factor changes one thing against the data a model was trained on: where related objects sit, the frame's
size and aspect, the font size, the typeface, the canvas width around text, the image scale, JPEG compression, the
symbol's design and size. Layout ranges outside data version 1 (the shipped 0.1.0-0.4.1) and outside version 2
(varied.TRAIN): two-object scenes with both objects in the middle third, frames wider than 320 px with aspect up to
4:1, canvases 2-3x as wide as their text, and the FreeFont family (fonts-freefont-ttf), never used by either
version. Font sizes 16-40 px are continuous (version 1 drew 18-24). Scale and JPEG are applied to version 1 images
at one strength each (1.5x bicubic upscale; JPEG quality 75). Seeds 950,000,000+ are used by nothing else.

FACTORS[task] = [(name, what, make(rng) -> sample dict as data.make_sample)]; evaluate.py --suite heldout runs them.
"""
import random
from dataclasses import replace

from PIL import Image

from . import data, varied

HELDOUT_SEED = 950_000_000
CLEAN = replace(varied.TRAIN, scale=(1.0, 1.0), jpeg=0.0, noise=0.0, blur=0.0, rotate=0.0, symbol_rotation=0.0)
MIDDLE = replace(CLEAN, pair_zone=(1 / 3, 2 / 3), pair_radius=(0.045, 0.07), min_gap=0.03)
WIDE_FRAME = replace(CLEAN, scene_side=(112, 448), scene_max_aspect=4.0)
WIDE_CANVAS = replace(CLEAN, free_width=(1.0, 2.0), margin=(0.2, 1.0))


def upscale(img, factor=1.5, boxes=None):
    w, h = img.size
    return img.resize((round(w * factor), round(h * factor)), Image.BICUBIC)


def _caption(img, cap):
    return dict(image=img, task="caption", answer=cap, max_slices=4)


def _two_objects(make):
    """Redraws until the scene has two objects (the factors below are about relations)."""
    def draw(rng):
        while True:
            img, cap = make(rng)
            if len(cap.split()) > 3:
                return img, cap
    return draw


def _wide_frame(rng):
    while True:
        w, h = rng.randint(336, 448), rng.randint(112, 224)
        if w / h <= WIDE_FRAME.scene_max_aspect:
            return w, h


CAPTION = [
    ("relation_middle_third", "two objects, both centres in the middle third of a 96-128 px frame (min gap 3%)",
     lambda rng: _caption(*_two_objects(lambda r: varied.make_scene(r, r.randint(96, 128), r.randint(96, 128),
                                                                    MIDDLE))(rng))),
    ("frame_wide", "frames 336-448 x 112-224 px (aspect up to 4:1), objects anywhere",
     lambda rng: _caption(*varied.make_scene(rng, *_wide_frame(rng), r=WIDE_FRAME))),
    ("scale_1.5x", "version 1 scenes upscaled 1.5x (bicubic)",
     lambda rng: (lambda ic: _caption(upscale(ic[0]), ic[1]))(data.make_scene(rng, *data.scene_size(rng)))),
    ("jpeg_q75", "version 1 scenes as JPEG quality 75",
     lambda rng: (lambda ic: _caption(varied.jpeg(ic[0], 75), ic[1]))(data.make_scene(rng, *data.scene_size(rng)))),
]


def _ocr(rng, face=None, size=None, r=CLEAN, k=None):
    """A line (even k) or a 2-3-line page (odd k) in the given face and size range."""
    size = rng.randint(*size) if size else None
    if k % 2 == 0:
        text = data.random_line(rng, 14, 24)
        img, boxes = varied.render_text(rng, [text], r, size, face, centre=False)
        return dict(image=img, task="ocr", kind="ocr_line", answer=text, max_slices=9)
    lines = [data.random_line(rng, 6, 14) for _ in range(rng.randint(2, 3))]
    img, boxes = varied.render_text(rng, lines, r, size, face, centre=False)
    return dict(image=img, task="ocr", kind="ocr_page", answer="\n".join(lines), max_slices=9)


def _v1_ocr(rng, k, post):
    img, text, _ = data.make_ocr_line(rng) if k % 2 == 0 else data.make_ocr_page(rng)
    return dict(image=post(img), task="ocr", kind="ocr_line" if k % 2 == 0 else "ocr_page", answer=text,
                max_slices=9)


OCR = [
    ("size_16-22px", "DejaVu Sans 16-22 px", lambda rng, k: _ocr(rng, "DejaVuSans.ttf", (16, 22), k=k)),
    ("size_23-30px", "DejaVu Sans 23-30 px", lambda rng, k: _ocr(rng, "DejaVuSans.ttf", (23, 30), k=k)),
    ("size_31-40px", "DejaVu Sans 31-40 px", lambda rng, k: _ocr(rng, "DejaVuSans.ttf", (31, 40), k=k)),
    ("face_FreeSerif", "FreeSerif 16-40 px (never trained)", lambda rng, k: _ocr(rng, "FreeSerif.ttf", (16, 40), k=k)),
    ("face_FreeSans", "FreeSans 16-40 px (never trained)", lambda rng, k: _ocr(rng, "FreeSans.ttf", (16, 40), k=k)),
    ("canvas_wide", "DejaVu Sans 18-24 px on canvases 2-3x the text's width",
     lambda rng, k: _ocr(rng, "DejaVuSans.ttf", (18, 24), WIDE_CANVAS, k=k)),
    ("scale_1.5x", "version 1 lines/pages upscaled 1.5x (bicubic)", lambda rng, k: _v1_ocr(rng, k, upscale)),
    ("jpeg_q75", "version 1 lines/pages as JPEG quality 75", lambda rng, k: _v1_ocr(rng, k, lambda i: varied.jpeg(i, 75))),
]


def _v1_moderation(rng, cat, post):
    img, cat, ans = data.make_moderation(rng, cat)
    return dict(image=post(img), task="moderation", category=cat, answer=ans, max_slices=4)


def _v2_moderation(rng, cat, r, size=None, face=None):
    img, cat, ans = varied.make_moderation(rng, cat, r, symbol_size=size and rng.randint(*size), symbol_face=face)
    return dict(image=img, task="moderation", category=cat, answer=ans, max_slices=4)


MODERATION = [
    ("scale_1.5x", "version 1 images upscaled 1.5x (bicubic)", lambda rng, c: _v1_moderation(rng, c, upscale)),
    ("jpeg_q75", "version 1 images as JPEG quality 75", lambda rng, c: _v1_moderation(rng, c, lambda i: varied.jpeg(i, 75))),
    ("symbol_FreeSerif", "symbols in FreeSerif's glyph design (never trained), 20-48 px, on version 2 images",
     lambda rng, c: _v2_moderation(rng, c, CLEAN, (20, 48), "FreeSerif.ttf")),
    ("symbol_small", "DejaVu symbols of 14-20 px on version 2 images", lambda rng, c: _v2_moderation(rng, c, CLEAN, (14, 20))),
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
