"""Synthetic data, version 2: the same tasks and answers as data.py (version 1), drawn from wider ranges.

Version 1 (data.py) put "left of" pairs in the left and right thirds of a near-square frame and "above" pairs in the
top and bottom thirds, rendered 82% of sliced text lines at 24 px in one typeface on near-white canvases just wide
enough for the text: a model trained on it learned positions and one glyph set, not relations and reading
(issue #22). Version 2 varies what real inputs vary:

* scenes: frames 64-320 px a side with aspect ratios up to 3:1; a relation is defined by the objects' relative
  position anywhere in the frame (the first-mentioned object left of / above the other by at least a gap, the
  other axis offset by at most half of that), objects of varied sizes; tinted light backgrounds, some with a
  gradient or speckles;
* text: 14-48 px, several typefaces (TRAIN_FONTS), varied margins and free canvas space around the text, dark inks
  of any hue on light tinted backgrounds, 2-4-line pages left- or centre-aligned;
* symbols (moderation): 14-64 px, several typefaces that have the glyphs (SYMBOL_FONTS), any dark ink, rotated up
  to 20 degrees;
* every image: rescaled 0.7-1.4x, and with some probability JPEG (quality 35-95), mild Gaussian noise, blur and a
  small rotation (text up to 3 degrees).

All draws come from the random.Random passed in, so a seed fixes a sample set exactly. The FreeFont family
(fonts-freefont-ttf) is never used here: heldout.py evaluates on it as an untrained typeface.
"""
import io
import math
import random
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import data
from .data import CATEGORIES, COLORS, RELATIONS, SCENE_SEQ, SHAPES, draw_shape, font

TRAIN_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansCondensed.ttf", "DejaVuSansMono.ttf",
               "DejaVuSerif.ttf", "DejaVuSerifCondensed.ttf", "LiberationSans-Regular.ttf",
               "LiberationSans-Bold.ttf", "LiberationSerif-Regular.ttf", "LiberationMono-Regular.ttf")
SYMBOL_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansCondensed.ttf",
                "DejaVuSansMono.ttf")


@dataclass(frozen=True)
class Ranges:
    """What a sample set varies, and over which range (inclusive). heldout.py derives its sets from TRAIN."""
    scene_side: tuple = (64, 320)
    scene_max_aspect: float = 3.0
    single_radius: tuple = (0.12, 0.3)       # of the frame's shorter side
    pair_radius: tuple = (0.07, 0.18)
    min_gap: float = 0.04                     # of the frame's shorter side, between the two objects' outlines
    pair_zone: tuple = (0.0, 1.0)             # centres drawn within this fraction of the frame on both axes
    font_size: tuple = (14, 48)
    fonts: tuple = TRAIN_FONTS
    margin: tuple = (0.1, 1.5)                # of the font size
    free_width: tuple = (0.0, 0.6)            # canvas space beyond the text, as a fraction of the text's width
    symbol_size: tuple = (14, 64)
    symbol_fonts: tuple = SYMBOL_FONTS
    symbol_rotation: float = 20.0
    scale: tuple = (0.7, 1.4)
    jpeg: float = 0.3                         # probability, then quality in jpeg_quality
    jpeg_quality: tuple = (35, 95)
    noise: float = 0.3                        # probability, then sigma in noise_sigma (of 255)
    noise_sigma: tuple = (1.0, 6.0)
    blur: float = 0.2
    blur_radius: tuple = (0.3, 1.0)
    rotate: float = 0.3                       # probability of a small rotation (text, scenes)
    rotate_deg: float = 3.0
    grey: bool = False                        # version 1's look: near-white grey canvas, dark grey ink


TRAIN = Ranges()


def _u(rng, lo_hi):
    return rng.uniform(*lo_hi)


def light_background(rng, w, h, grey=False):
    """A light tinted canvas; a quarter with a gentle gradient, a tenth with faint speckles (grey: version 1's
    plain near-white grey)."""
    if grey:
        g = rng.randint(225, 255)
        return Image.new("RGB", (w, h), data._jitter(rng, (g, g, g), 5))
    base = [rng.randint(200, 255) for _ in range(3)]
    m = max(base)
    base = [min(255, v + (255 - m) // 2) for v in base]
    img = Image.new("RGB", (w, h), tuple(base))
    if rng.random() < 0.25:
        other = [max(190, min(255, v + rng.randint(-30, 30))) for v in base]
        across = rng.random() < 0.5
        t = np.linspace(0.0, 1.0, w if across else h, dtype=np.float32)
        a = np.array(base, np.float32)[None, :] * (1 - t[:, None]) + np.array(other, np.float32)[None, :] * t[:, None]
        arr = np.broadcast_to(a[None, :, :], (h, w, 3)) if across else np.broadcast_to(a[:, None, :], (h, w, 3))
        img = Image.fromarray(arr.round().astype(np.uint8))
    if rng.random() < 0.1:
        d = ImageDraw.Draw(img)
        for _ in range(rng.randint(5, 40)):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            g = rng.randint(170, 230)
            d.point((x, y), fill=(g, g, g))
    return img


def dark_ink(rng, grey=False):
    if grey:
        return data._jitter(rng, (rng.randint(0, 60),) * 3, 10)
    if rng.random() < 0.6:
        g = rng.randint(0, 70)
        return tuple(max(0, min(255, g + rng.randint(-10, 10))) for _ in range(3))
    return tuple(rng.randint(0, 110) for _ in range(3))


def finish(rng, img, r, boxes=None, scene=None, rotate_deg=None):
    """Post-processing common to all images: rescale (boxes follow), small rotation, blur, noise, JPEG."""
    s = _u(rng, r.scale)
    if abs(s - 1.0) > 1e-3:
        w, h = img.size
        nw, nh = max(8, round(w * s)), max(8, round(h * s))
        img = img.resize((nw, nh), Image.BICUBIC)
        sx, sy = nw / w, nh / h
        if boxes is not None:
            boxes[:] = [(c, x0 * sx, y0 * sy, x1 * sx, y1 * sy) for (c, x0, y0, x1, y1) in boxes]
        if scene is not None:
            scene["boxes"] = [(c, x0 * sx, y0 * sy, x1 * sx, y1 * sy) for (c, x0, y0, x1, y1) in scene["boxes"]]
    deg = r.rotate_deg if rotate_deg is None else rotate_deg
    if deg > 0 and rng.random() < r.rotate:
        corner = img.getpixel((0, 0))
        img = img.rotate(rng.uniform(-deg, deg), resample=Image.BICUBIC, expand=False, fillcolor=corner)
    if rng.random() < r.blur:
        img = img.filter(ImageFilter.GaussianBlur(_u(rng, r.blur_radius)))
    if rng.random() < r.noise:
        arr = np.asarray(img, np.float32)
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, _u(rng, r.noise_sigma), arr.shape)
        img = Image.fromarray(np.clip(arr + noise, 0, 255).round().astype(np.uint8))
    if rng.random() < r.jpeg:
        img = jpeg(img, rng.randint(*r.jpeg_quality))
    return img


def jpeg(img, quality):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


# ---------------------------------------------------------------------------------------------------- scenes


def scene_frame(rng, r):
    lo, hi = r.scene_side
    while True:
        w, h = rng.randint(lo, hi), rng.randint(lo, hi)
        if max(w, h) / min(w, h) <= r.scene_max_aspect:
            return w, h


def place_pair(rng, w, h, rel, r1, r2, r):
    """Centres (x1, y1, x2, y2) with object 1 left of / above object 2 by at least the gap along the relation's
    axis and offset along the other axis by at most half the distance along it; None if nothing fits."""
    gap = r.min_gap * min(w, h)
    z0, z1 = r.pair_zone
    for _ in range(60):
        x1 = rng.uniform(max(r1 + 1, z0 * w), min(w - r1 - 1, z1 * w))
        y1 = rng.uniform(max(r1 + 1, z0 * h), min(h - r1 - 1, z1 * h))
        x2 = rng.uniform(max(r2 + 1, z0 * w), min(w - r2 - 1, z1 * w))
        y2 = rng.uniform(max(r2 + 1, z0 * h), min(h - r2 - 1, z1 * h))
        main, other = (x2 - x1, y2 - y1) if rel == "left of" else (y2 - y1, x2 - x1)
        if main >= r1 + r2 + gap and abs(other) <= 0.5 * main:
            return x1, y1, x2, y2
    return None


def make_scene(rng, w, h, r=TRAIN, meta=None):
    """(image, caption) with the same caption grammar as data.make_scene; objects placed by relation anywhere."""
    img = light_background(rng, w, h, r.grey)
    d = ImageDraw.Draw(img)
    m = min(w, h)
    two = rng.random() >= 0.3
    objs = [(rng.choice(list(COLORS)), rng.choice(SHAPES)) for _ in range(2 if two else 1)]
    if not two:
        rad = _u(rng, r.single_radius) * m
        cx, cy = rng.uniform(rad + 1, w - rad - 1), rng.uniform(rad + 1, h - rad - 1)
        draw_shape(d, objs[0][1], cx, cy, rad, data._jitter(rng, COLORS[objs[0][0]]))
        data._obj_meta(meta, objs[0][0], objs[0][1], cx, cy, rad)
        if meta is not None:
            meta["seq"] += [SCENE_SEQ[objs[0][0]], SCENE_SEQ[objs[0][1]]]
        return img, "%s %s %s" % (data._art(objs[0][0]), objs[0][0], objs[0][1])
    rel = rng.choice(RELATIONS)
    pos = None
    shrink = 1.0
    while pos is None:
        r1, r2 = _u(rng, r.pair_radius) * m * shrink, _u(rng, r.pair_radius) * m * shrink
        pos = place_pair(rng, w, h, rel, r1, r2, r)
        shrink *= 0.8
    x1, y1, x2, y2 = pos
    draw_shape(d, objs[0][1], x1, y1, r1, data._jitter(rng, COLORS[objs[0][0]]))
    draw_shape(d, objs[1][1], x2, y2, r2, data._jitter(rng, COLORS[objs[1][0]]))
    data._obj_meta(meta, objs[0][0], objs[0][1], x1, y1, r1)
    data._obj_meta(meta, objs[1][0], objs[1][1], x2, y2, r2)
    if meta is not None:
        meta["seq"] += [SCENE_SEQ[objs[0][0]], SCENE_SEQ[objs[0][1]], SCENE_SEQ[rel], SCENE_SEQ[objs[1][0]],
                        SCENE_SEQ[objs[1][1]]]
    return img, "%s %s %s %s %s %s %s" % (data._art(objs[0][0]), objs[0][0], objs[0][1], rel, data._art(objs[1][0]),
                                          objs[1][0], objs[1][1])


# ------------------------------------------------------------------------------------------------------ text


def render_text(rng, lines, r, size=None, face=None, centre=None):
    """Lines in one typeface on a light canvas with free space around them; (image, boxes) as data.render_text."""
    size = size or rng.randint(*r.font_size)
    f = font(size, face or rng.choice(r.fonts))
    asc, desc = f.getmetrics()
    lh = asc + desc
    gap = round(rng.uniform(0.0, 0.6) * size) if len(lines) > 1 else 0
    widths = [f.getlength(t) for t in lines]
    tw = max(widths)
    mx, my = _u(rng, r.margin) * size, _u(rng, r.margin) * size
    w = int(tw * (1 + _u(rng, r.free_width)) + 2 * mx) + 1
    th = len(lines) * lh + (len(lines) - 1) * gap
    h = int(th + 2 * my) + 1
    img = light_background(rng, w, h, r.grey)
    d = ImageDraw.Draw(img)
    ink = dark_ink(rng, r.grey)
    centre = rng.random() < 0.3 if centre is None else centre
    x_left = mx + rng.uniform(0, max(0.0, w - 2 * mx - tw))
    y = my + rng.uniform(0, max(0.0, h - 2 * my - th))
    boxes = []
    for t, tw_k in zip(lines, widths):
        x0 = x_left + ((tw - tw_k) / 2 if centre else 0.0)
        d.text((x0, y), t, font=f, fill=ink)
        for k, ch in enumerate(t):
            a, b = f.getlength(t[:k]), f.getlength(t[:k + 1])
            boxes.append((ch, x0 + a, y + asc * 0.25, x0 + b, y + asc + desc * 0.3))
        boxes.append(("\n", 0, 0, 0, 0))
        y += lh + gap
    return img, boxes[:-1]


def make_ocr_word(rng, r=TRAIN):
    text = data.random_word(rng, 3, 8)
    img, boxes = render_text(rng, [text], r)
    return finish(rng, img, r, boxes), text, boxes


def make_ocr_line(rng, r=TRAIN, size=None, face=None):
    text = data.random_line(rng, 8, 28)
    img, boxes = render_text(rng, [text], r, size, face)
    return finish(rng, img, r, boxes), text, boxes


def make_ocr_page(rng, r=TRAIN, size=None, face=None):
    n = rng.randint(2, 4)
    lines = [data.random_line(rng, 4, 18) for _ in range(n)]
    img, boxes = render_text(rng, lines, r, size, face)
    return finish(rng, img, r, boxes), "\n".join(lines), boxes


# ------------------------------------------------------------------------------------------------ moderation


def draw_symbol(rng, img, cat, r=TRAIN, meta=None, size=None, face=None):
    """The category's glyph at a random size, typeface, ink and rotation, pasted anywhere in the image."""
    w, h = img.size
    size = size or rng.randint(*r.symbol_size)
    size = max(10, min(size, int(0.9 * min(w, h))))
    f = font(size, face or rng.choice(r.symbol_fonts))
    ch = CATEGORIES[cat]
    bb = f.getbbox(ch)
    sw, sh = bb[2] - bb[0], bb[3] - bb[1]
    layer = Image.new("L", (sw + 4, sh + 4), 0)
    ImageDraw.Draw(layer).text((2 - bb[0], 2 - bb[1]), ch, font=f, fill=255)
    if r.symbol_rotation > 0:
        layer = layer.rotate(rng.uniform(-r.symbol_rotation, r.symbol_rotation), resample=Image.BICUBIC, expand=True)
    lw, lh = layer.size
    x, y = round(rng.uniform(0, max(0, w - lw))), round(rng.uniform(0, max(0, h - lh)))
    img.paste(Image.new("RGB", layer.size, dark_ink(rng, r.grey)), (x, y), layer)
    if meta is not None:
        cls = 1 + len(COLORS) * len(SHAPES) + list(CATEGORIES).index(cat)
        meta["boxes"].append((cls, x + 2, y + 2, x + lw - 2, y + lh - 2))
        meta["seq"].append(SCENE_SEQ[cat])


def make_moderation(rng, category=None, r=TRAIN, meta=None, symbol_size=None, symbol_face=None):
    """(image, category, answer), balanced as data.make_moderation: half show the category, a quarter another
    flagged symbol, a quarter none; on a scene (70%) or a text image (30%)."""
    cats = list(CATEGORIES)
    category = category or rng.choice(cats)
    if rng.random() < 0.7:
        img, _ = make_scene(rng, *scene_frame(rng, r), r=r, meta=meta)
    else:
        lines = [data.random_line(rng, 4, 18) for _ in range(rng.randint(1, 3))]
        img, _ = render_text(rng, lines, r, size=rng.randint(14, 28))
    if rng.random() < 0.5:
        draw_symbol(rng, img, category, r, meta, symbol_size, symbol_face)
        ans = "yes"
    else:
        if rng.random() < 0.5:
            draw_symbol(rng, img, rng.choice([c for c in cats if c != category]), r, meta, symbol_size, symbol_face)
        ans = "no"
    return finish(rng, img, r, scene=meta), category, ans


def make_sample(rng, task, r=TRAIN):
    """The dict data.make_sample returns, from the version 2 generators."""
    if task == "caption":
        meta = {"boxes": [], "seq": []}
        img, cap = make_scene(rng, *scene_frame(rng, r), r=r, meta=meta)
        img = finish(rng, img, r, scene=meta)
        return dict(image=img, task="caption", answer=cap, boxes=None, max_slices=4, scene=meta)
    if task == "moderation":
        meta = {"boxes": [], "seq": []}
        img, cat, ans = make_moderation(rng, r=r, meta=meta)
        return dict(image=img, task="moderation", category=cat, answer=ans, boxes=None, max_slices=4, scene=meta)
    fn = {"ocr_word": make_ocr_word, "ocr_line": make_ocr_line, "ocr_page": make_ocr_page}[task]
    img, text, boxes = fn(rng, r)
    return dict(image=img, task="ocr", kind=task, answer=text, boxes=boxes, max_slices=9)
