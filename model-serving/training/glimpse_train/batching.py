"""Turns samples into model inputs: slicing, strips, prompt/answer ids, OCR auxiliary labels."""
import numpy as np
import torch

from . import data, slicing

PATCH = slicing.PATCH
CHAR_CLASS = {ch: k + 1 for k, ch in enumerate(data.OCR_CHARS)}     # 0 = blank


def ocr_char_token_ids(tok):
    """The token id of each OCR character, in CTC class order (class k+1 -> entry k)."""
    ids = [tok.encode(ch) for ch in data.OCR_CHARS]
    bad = [ch for ch, i in zip(data.OCR_CHARS, ids) if len(i) != 1]
    if bad:
        raise ValueError("OCR characters %r are not single tokens in this tokenizer" % bad)
    return [i[0] for i in ids]


def prepare_image(img, max_slices):
    p, images, maps = slicing.slice_image(img, max_slices)
    strips, tgts = [], []
    for im in images:
        s, t = slicing.to_strip(im)
        strips.append(s)
        tgts.append(t)
    return p, images, maps, strips, tgts


def ocr_labels(boxes, images, maps):
    """Per output image: per-patch char class (0 = none) [Hp*Wp] and the CTC target (list of classes)."""
    chars = [b for b in boxes if b[0] != "\n"]
    per_patch, ctc = [], []
    for im, (ox, oy, sx, sy) in zip(images, maps):
        w, h = im.size
        hp, wp = h // PATCH, w // PATCH
        lab = np.zeros((hp, wp), np.int64)
        target = []
        prev_line_y = None
        for (ch, x0, y0, x1, y1) in chars:
            a0, a1 = x0 * sx - ox, x1 * sx - ox
            b0, b1 = y0 * sy - oy, y1 * sy - oy
            cx, cy = (a0 + a1) / 2, (b0 + b1) / 2
            if 0 <= cx < w and 0 <= cy < h:
                if prev_line_y is not None and abs(cy - prev_line_y) > (b1 - b0) * 0.5 and target and target[-1] != CHAR_CLASS[" "]:
                    target.append(CHAR_CLASS[" "])
                prev_line_y = cy
                if ch != " " or (target and target[-1] != CHAR_CLASS[" "]):
                    target.append(CHAR_CLASS[ch])
            if ch == " ":
                continue
            # patches whose centre lies in the glyph box
            js = [j for j in range(wp) if a0 <= (j + 0.5) * PATCH < a1]
            is_ = [i for i in range(hp) if b0 <= (i + 0.5) * PATCH < b1]
            for i in is_:
                for j in js:
                    lab[i, j] = CHAR_CLASS[ch]
        while target and target[-1] == CHAR_CLASS[" "]:
            target.pop()
        per_patch.append(lab.reshape(-1))
        ctc.append(target)
    return per_patch, ctc


def scene_labels(scene, images, maps):
    """Per output image: per-patch scene class (0 = background) [Hp*Wp]; the symbol sequence for the overview."""
    per_patch = []
    for im, (ox, oy, sx, sy) in zip(images, maps):
        w, h = im.size
        hp, wp = h // PATCH, w // PATCH
        lab = np.zeros((hp, wp), np.int64)
        cy = (np.arange(hp) + 0.5) * PATCH
        cx = (np.arange(wp) + 0.5) * PATCH
        for (cls, x0, y0, x1, y1) in scene["boxes"]:
            a0, a1, b0, b1 = x0 * sx - ox, x1 * sx - ox, y0 * sy - oy, y1 * sy - oy
            inside = ((cy >= b0) & (cy < b1))[:, None] & ((cx >= a0) & (cx < a1))[None, :]
            lab[inside] = cls
        per_patch.append(lab.reshape(-1))
    return per_patch, [scene["seq"]] + [None] * (len(images) - 1)


def collate(samples, tok, query_num, with_aux=True):
    unk = tok.id("<unk>")
    pad = tok.id("<|endoftext|>")
    im_end = tok.id("<|im_end|>")
    strips, tgts, seqs, labs, patch_labels, ctc_targets = [], [], [], [], [], []
    scene_patch, scene_seq = [], []
    for s in samples:
        p, images, maps, st, tg = prepare_image(s["image"], s["max_slices"])
        strips += st
        tgts += tg
        prompt = data.build_prompt(s["task"], slicing.placeholder(p, query_num), s.get("category"))
        pids = tok.encode(prompt)
        aids = tok.encode(s["answer"]) + [im_end]
        seqs.append(pids + aids)
        labs.append([-100] * len(pids) + aids)
        if with_aux:
            if s.get("boxes") is not None:
                pl, ct = ocr_labels(s["boxes"], images, maps)
            else:
                pl, ct = [None] * len(images), [None] * len(images)
            patch_labels += pl
            ctc_targets += ct
            if s.get("scene") is not None:
                sp, sq = scene_labels(s["scene"], images, maps)
            else:
                sp, sq = [None] * len(images), [None] * len(images)
            scene_patch += sp
            scene_seq += sq
    pv, pmask = slicing.batch_strips(strips)
    T = max(len(x) for x in seqs)
    ids = np.full((len(seqs), T), pad, np.int64)
    labels = np.full((len(seqs), T), -100, np.int64)
    am = np.zeros((len(seqs), T), np.int64)
    for b, (x, l) in enumerate(zip(seqs, labs)):
        ids[b, :len(x)] = x
        labels[b, :len(l)] = l
        am[b, :len(x)] = 1
    out = dict(pixel_values=torch.from_numpy(pv), tgt_sizes=torch.tensor(tgts, dtype=torch.int64),
               input_ids=torch.from_numpy(ids), labels=torch.from_numpy(labels),
               attention_mask=torch.from_numpy(am),
               position_ids=torch.arange(T).unsqueeze(0).expand(len(seqs), T).contiguous())
    if with_aux:
        L = pv.shape[3] // PATCH
        plab = np.full((len(strips), L), -100, np.int64)
        for n, pl in enumerate(patch_labels):
            if pl is not None:
                plab[n, :len(pl)] = pl
        out["patch_labels"] = torch.from_numpy(plab)
        out["ctc_targets"] = ctc_targets
        slab = np.full((len(strips), L), -100, np.int64)
        for n, sp in enumerate(scene_patch):
            if sp is not None:
                slab[n, :len(sp)] = sp
        out["scene_patch_labels"] = torch.from_numpy(slab)
        out["scene_seq"] = scene_seq
    assert int((out["input_ids"] == unk).sum()) == len(strips) * query_num
    return out
