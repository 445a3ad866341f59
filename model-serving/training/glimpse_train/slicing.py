"""MiniCPM-V adaptive slicing (HF / vLLM semantics) at a configurable scale resolution.

The helper functions follow training/slicing_reference.py (the project's oracle) line by line;
only the scale is a parameter here (the tiny model uses 112 instead of 448).
Sizes are PIL (width, height); grids are (cols, rows).
"""
import math

import numpy as np
from PIL import Image

PATCH = 14
SCALE = 112
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)


def ensure_divide(length, patch):
    return max(round(length / patch) * patch, patch)


def find_best_resize(size, scale=SCALE, patch=PATCH, allow_upscale=False):
    w, h = size
    if (w * h > scale * scale) or allow_upscale:
        r = w / h
        h = int(scale / math.sqrt(r))
        w = int(h * r)
    return (ensure_divide(w, patch), ensure_divide(h, patch))


def get_refine_size(size, grid, scale=SCALE, patch=PATCH, allow_upscale=True):
    w, h = size
    gx, gy = grid
    rw = ensure_divide(w, gx)
    rh = ensure_divide(h, gy)
    cell = find_best_resize((rw / gx, rh / gy), scale, patch, allow_upscale)
    return (cell[0] * gx, cell[1] * gy)


def get_sliced_grid(size, max_slices, scale=SCALE):
    w, h = size
    log_ratio = math.log(w / h)
    ratio = w * h / (scale * scale)
    multiple = min(math.ceil(ratio), max_slices)
    if multiple <= 1:
        return None
    cands = [i for i in (multiple - 1, multiple, multiple + 1) if i != 1 and i <= max_slices]
    grids = []
    for n in cands:
        for m in range(1, n + 1):
            if n % m == 0:
                grids.append((m, n // m))
    best, best_err = (1, 1), float("inf")
    for g in grids:
        err = abs(log_ratio - math.log(g[0] / g[1]))
        if err < best_err:
            best, best_err = g, err
    return best


def plan(size, max_slices, scale=SCALE, patch=PATCH):
    """Same result as slicing_reference.reference_plan with SCALE=scale."""
    grid = get_sliced_grid(size, max_slices, scale)
    if grid is None:
        ov = find_best_resize(size, scale, patch, allow_upscale=True)
        return dict(grid=None, overview=ov, slice=None, refine=None)
    ov = find_best_resize(size, scale, patch, allow_upscale=False)
    refine = get_refine_size(size, grid, scale, patch, allow_upscale=True)
    sl = (refine[0] // grid[0], refine[1] // grid[1])
    return dict(grid=grid, overview=ov, slice=sl, refine=refine)


def to_strip(img):
    """PIL RGB image (w,h multiples of 14) -> normalised (3, 14, L*14) float32 strip, tgt (Hp, Wp)."""
    a = np.asarray(img, dtype=np.uint8).astype(np.float32)
    a = (a / 255.0 - 0.5) / 0.5
    h, w, _ = a.shape
    hp, wp = h // PATCH, w // PATCH
    # (hp,14,wp,14,3) -> (3,14,hp,wp,14) -> (3,14,hp*wp*14)
    t = a.reshape(hp, PATCH, wp, PATCH, 3).transpose(4, 1, 0, 2, 3)
    return np.ascontiguousarray(t.reshape(3, PATCH, hp * wp * PATCH)), (hp, wp)


def slice_image(img, max_slices, scale=SCALE):
    """Returns (plan, [PIL images: overview, slices row-major], [(ox, oy, sx, sy) maps]).

    The map of each output image takes original-image coordinates to that image's pixel
    coordinates: x' = x * sx - ox, y' = y * sy - oy."""
    img = img.convert("RGB")
    W, H = img.size
    p = plan((W, H), max_slices, scale)
    ov = p["overview"]
    images = [img.resize(ov, Image.BICUBIC)]
    maps = [(0.0, 0.0, ov[0] / W, ov[1] / H)]
    if p["grid"] is not None:
        cols, rows = p["grid"]
        RW, RH = p["refine"]
        cw, ch = p["slice"]
        refined = img.resize((RW, RH), Image.BICUBIC)
        for r in range(rows):
            for c in range(cols):
                images.append(refined.crop((c * cw, r * ch, (c + 1) * cw, (r + 1) * ch)))
                maps.append((c * cw, r * ch, RW / W, RH / H))
    return p, images, maps


def placeholder(p, query_num, image_idx=0):
    """MiniCPM-V 2.6 placeholder text (docs/slicing.md section 3.2)."""
    unk = "<unk>" * query_num
    out = f"<image_id>{image_idx}</image_id><image>{unk}</image>"
    if p["grid"] is not None:
        cols, rows = p["grid"]
        out += "\n".join("".join(f"<slice>{unk}</slice>" for _ in range(cols)) for _ in range(rows))
    return out


def batch_strips(strips):
    """list of (3,14,Li*14) arrays -> pixel_values [N,3,14,Lmax*14], patch mask [N,Lmax] int64."""
    lmax = max(s.shape[2] // PATCH for s in strips)
    n = len(strips)
    pv = np.zeros((n, 3, PATCH, lmax * PATCH), np.float32)
    mask = np.zeros((n, lmax), np.int64)
    for i, s in enumerate(strips):
        pv[i, :, :, :s.shape[2]] = s
        mask[i, :s.shape[2] // PATCH] = 1
    return pv, mask
