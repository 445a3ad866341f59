"""Synthetic data: coloured-shape scenes (captions), rendered text (OCR), flagged symbols (moderation).

Everything is drawn from an explicit random.Random(seed), so a seed fixes a sample set exactly.
"""
import math
import os
import random

from PIL import Image, ImageDraw, ImageFont

# Debian fonts-dejavu-core (+ fonts-dejavu-extra, fonts-liberation2, fonts-freefont-ttf for data version 2 and the
# held-out sets); GLIMPSE_FONT_DIR first where set (a machine without the packages, e.g. a lent GPU)
FONT_DIRS = [d for d in (os.environ.get("GLIMPSE_FONT_DIR"), "/usr/share/fonts/truetype/dejavu",
                         "/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/freefont") if d]
COLORS = {
    "red": (220, 30, 30), "green": (30, 160, 40), "blue": (30, 60, 220), "yellow": (235, 200, 20),
    "orange": (245, 130, 20), "purple": (140, 40, 170), "pink": (240, 110, 180), "black": (20, 20, 20),
}
SHAPES = ["circle", "square", "triangle", "diamond"]
RELATIONS = ["left of", "above"]          # canonical reading order: first-mentioned object is left / top
CATEGORIES = {"skull": "\u2620", "radiation": "\u2622", "biohazard": "\u2623", "weapons": "\u2694"}
OCR_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789 "
LETTERS = "abcdefghijklmnopqrstuvwxyz"

INSTRUCTIONS = {
    "caption": "Describe the image.",
    "ocr": "Read the text in the image.",
    "moderation": "Check the image for unsafe content.",
}
MODERATION_QUESTION = "Does it show {category}? Answer yes or no."
CHAT_TEMPLATE = "<|im_start|>user\n{instruction}\n{image}{question}<|im_end|>\n<|im_start|>assistant\n"


def build_prompt(task, image_text, category=None):
    q = "" if task != "moderation" else "\n" + MODERATION_QUESTION.format(category=category)
    return CHAT_TEMPLATE.format(instruction=INSTRUCTIONS[task], image=image_text, question=q)


_FONT_CACHE = {}


def font(size, name="DejaVuSans.ttf"):
    key = (name, size)
    if key not in _FONT_CACHE:
        for d in FONT_DIRS:
            p = os.path.join(d, name)
            if os.path.exists(p):
                _FONT_CACHE[key] = ImageFont.truetype(p, size)
                break
        else:
            raise FileNotFoundError("%s in %s (apt-get install fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 "
                                    "fonts-freefont-ttf, or set GLIMPSE_FONT_DIR)" % (name, FONT_DIRS))
    return _FONT_CACHE[key]


def _jitter(rng, c, d=15):
    return tuple(max(0, min(255, v + rng.randint(-d, d))) for v in c)


def _background(rng, w, h):
    g = rng.randint(225, 255)
    return Image.new("RGB", (w, h), _jitter(rng, (g, g, g), 5))


def draw_shape(draw, shape, cx, cy, r, fill):
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "square":
        s = r * 0.88
        draw.rectangle([cx - s, cy - s, cx + s, cy + s], fill=fill)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx - r * 1.05, cy + r * 0.8), (cx + r * 1.05, cy + r * 0.8)], fill=fill)
    elif shape == "diamond":
        draw.polygon([(cx, cy - r * 1.1), (cx + r * 0.9, cy), (cx, cy + r * 1.1), (cx - r * 0.9, cy)], fill=fill)


def scene_size(rng):
    if rng.random() < 0.85:
        return rng.randint(96, 120), rng.randint(96, 120)
    return rng.randint(150, 224), rng.randint(130, 200)


# auxiliary scene labels (training only): per-patch classes and a short symbol sequence per image
SCENE_SEQ = {name: k + 1 for k, name in enumerate(list(COLORS) + SHAPES + RELATIONS + list(CATEGORIES))}
N_SCENE_SEQ = len(SCENE_SEQ) + 1                       # + CTC blank
N_SCENE_PATCH = 1 + len(COLORS) * len(SHAPES) + len(CATEGORIES)


def _obj_meta(meta, color, shape, cx, cy, r):
    if meta is not None:
        cls = 1 + list(COLORS).index(color) * len(SHAPES) + SHAPES.index(shape)
        meta["boxes"].append((cls, cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8))


def make_scene(rng, w, h, meta=None):
    """Returns (image, caption). If meta (dict with lists "boxes", "seq") is given, auxiliary labels are added."""
    img = _background(rng, w, h)
    d = ImageDraw.Draw(img)
    m = min(w, h)
    objs = []
    for _ in range(1 if rng.random() < 0.3 else 2):
        objs.append((rng.choice(list(COLORS)), rng.choice(SHAPES)))
    if len(objs) == 1:
        r = rng.uniform(0.16, 0.3) * m
        cx, cy = rng.uniform(r + 2, w - r - 2), rng.uniform(r + 2, h - r - 2)
        draw_shape(d, objs[0][1], cx, cy, r, _jitter(rng, COLORS[objs[0][0]]))
        _obj_meta(meta, objs[0][0], objs[0][1], cx, cy, r)
        if meta is not None:
            meta["seq"] += [SCENE_SEQ[objs[0][0]], SCENE_SEQ[objs[0][1]]]
        return img, "%s %s %s" % (_art(objs[0][0]), objs[0][0], objs[0][1])
    rel = rng.choice(RELATIONS)
    r1, r2 = rng.uniform(0.11, 0.18) * m, rng.uniform(0.11, 0.18) * m
    if rel == "left of":
        x1, x2 = rng.uniform(0.14, 0.34) * w, rng.uniform(0.66, 0.86) * w
        y1, y2 = rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * h
    else:
        y1, y2 = rng.uniform(0.14, 0.34) * h, rng.uniform(0.66, 0.86) * h
        x1, x2 = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * w
    draw_shape(d, objs[0][1], x1, y1, r1, _jitter(rng, COLORS[objs[0][0]]))
    draw_shape(d, objs[1][1], x2, y2, r2, _jitter(rng, COLORS[objs[1][0]]))
    _obj_meta(meta, objs[0][0], objs[0][1], x1, y1, r1)
    _obj_meta(meta, objs[1][0], objs[1][1], x2, y2, r2)
    if meta is not None:
        meta["seq"] += [SCENE_SEQ[objs[0][0]], SCENE_SEQ[objs[0][1]], SCENE_SEQ[rel], SCENE_SEQ[objs[1][0]],
                        SCENE_SEQ[objs[1][1]]]
    return img, "%s %s %s %s %s %s %s" % (_art(objs[0][0]), objs[0][0], objs[0][1], rel, _art(objs[1][0]),
                                          objs[1][0], objs[1][1])


def _art(word):
    return "an" if word[0] in "aeiou" else "a"


def random_word(rng, lo=3, hi=6, digits=0.1):
    n = rng.randint(lo, hi)
    if rng.random() < digits:
        return "".join(rng.choice("0123456789") for _ in range(n))
    return "".join(rng.choice(LETTERS) for _ in range(n))


def random_line(rng, lo, hi):
    words = []
    while True:
        wd = random_word(rng, 2, 7)
        cand = " ".join(words + [wd])
        if len(cand) > hi:
            break
        words.append(wd)
        if len(cand) >= lo and rng.random() < 0.3:
            break
    return " ".join(words) if words else random_word(rng, lo, min(hi, 7))


def render_text(rng, lines, fsize, margin_x, margin_y, line_gap, min_w=0, min_h=0):
    """Renders lines; returns (image, boxes) with boxes = [(char, x0, y0, x1, y1)] in reading order."""
    f = font(fsize)
    asc, desc = f.getmetrics()
    lh = asc + desc
    widths = [f.getlength(t) for t in lines]
    w = max(int(max(widths) + 2 * margin_x), min_w)
    h = max(int(len(lines) * lh + (len(lines) - 1) * line_gap + 2 * margin_y), min_h)
    img = _background(rng, w, h)
    d = ImageDraw.Draw(img)
    ink = _jitter(rng, (rng.randint(0, 60),) * 3, 10)
    boxes = []
    y = margin_y + rng.uniform(0, max(0, h - 2 * margin_y - len(lines) * lh - (len(lines) - 1) * line_gap))
    x0 = margin_x + rng.uniform(0, max(0, w - 2 * margin_x - max(widths)))
    for t in lines:
        d.text((x0, y), t, font=f, fill=ink)
        for k, ch in enumerate(t):
            a, b = f.getlength(t[:k]), f.getlength(t[:k + 1])
            boxes.append((ch, x0 + a, y + asc * 0.25, x0 + b, y + asc + desc * 0.3))
        boxes.append(("\n", 0, 0, 0, 0))
        y += lh + line_gap
    return img, boxes[:-1]


def make_ocr_word(rng):
    text = random_word(rng, 3, 6)
    img, boxes = render_text(rng, [text], rng.randint(18, 24), rng.randint(4, 12), rng.randint(4, 10), 0)
    return img, text, boxes


def make_ocr_line(rng):
    text = random_line(rng, 14, 24)
    img, boxes = render_text(rng, [text], rng.randint(18, 24), rng.randint(6, 16), rng.randint(6, 14), 0)
    if img.size[0] * img.size[1] <= 112 * 112:     # must need slicing
        img, boxes = render_text(rng, [text], 24, 16, 20, 0, min_w=300)
    return img, text, boxes


def make_ocr_page(rng):
    n = rng.randint(2, 3)
    lines = [random_line(rng, 6, 14) for _ in range(n)]
    img, boxes = render_text(rng, lines, rng.randint(18, 22), rng.randint(8, 16), rng.randint(8, 14),
                             rng.randint(4, 10))
    if img.size[0] * img.size[1] <= 1.3 * 112 * 112:     # must need slicing
        img, boxes = render_text(rng, lines, 22, 12, 10, 8, min_w=int(1.3 * 112 * 112 / img.size[1]) + 1)
    return img, "\n".join(lines), boxes


def draw_symbol(rng, img, cat, meta=None):
    w, h = img.size
    size = rng.randint(26, 42)
    f = font(size)
    ch = CATEGORIES[cat]
    bb = f.getbbox(ch)
    sw, sh = bb[2] - bb[0], bb[3] - bb[1]
    x = rng.uniform(0, max(1, w - sw)) - bb[0]
    y = rng.uniform(0, max(1, h - sh)) - bb[1]
    ImageDraw.Draw(img).text((x, y), ch, font=f, fill=_jitter(rng, (rng.randint(0, 90),) * 3, 25))
    if meta is not None:
        cls = 1 + len(COLORS) * len(SHAPES) + list(CATEGORIES).index(cat)
        meta["boxes"].append((cls, x + bb[0], y + bb[1], x + bb[2], y + bb[3]))
        meta["seq"].append(SCENE_SEQ[cat])


def make_moderation(rng, category=None, meta=None):
    """Returns (image, category, answer). Balanced: half contain `category`, the other half contain nothing
    or one other flagged symbol."""
    cats = list(CATEGORIES)
    category = category or rng.choice(cats)
    if rng.random() < 0.7:
        img, _ = make_scene(rng, *scene_size(rng), meta=meta)
    else:
        img, _, _ = (make_ocr_page(rng) if rng.random() < 0.5 else make_ocr_word(rng))
    if rng.random() < 0.5:
        draw_symbol(rng, img, category, meta)
        ans = "yes"
    else:
        if rng.random() < 0.5:
            draw_symbol(rng, img, rng.choice([c for c in cats if c != category]), meta)
        ans = "no"
    return img, category, ans


def make_sample(rng, task):
    """task in caption / ocr_word / ocr_line / ocr_page / moderation -> dict."""
    if task == "caption":
        meta = {"boxes": [], "seq": []}
        img, cap = make_scene(rng, *scene_size(rng), meta=meta)
        return dict(image=img, task="caption", answer=cap, boxes=None, max_slices=4, scene=meta)
    if task == "moderation":
        meta = {"boxes": [], "seq": []}
        img, cat, ans = make_moderation(rng, meta=meta)
        return dict(image=img, task="moderation", category=cat, answer=ans, boxes=None, max_slices=4, scene=meta)
    fn = {"ocr_word": make_ocr_word, "ocr_line": make_ocr_line, "ocr_page": make_ocr_page}[task]
    img, text, boxes = fn(rng)
    return dict(image=img, task="ocr", kind=task, answer=text, boxes=boxes, max_slices=9)


def corpus_for_tokenizer(seed=1234, n=4000):
    rng = random.Random(seed)
    texts = []
    for t in INSTRUCTIONS:
        texts.append(build_prompt(t, "<image>", "skull"))
    for c in CATEGORIES:
        for _ in range(20):
            texts.append(build_prompt("moderation", "<image>", c))
    for _ in range(n):
        texts.append(make_scene(rng, 112, 112)[1])
        texts.append(random_line(rng, 10, 24))
        texts.append(rng.choice(["yes", "no"]))
    texts += ["yes"] * 200 + ["no"] * 200
    return texts
