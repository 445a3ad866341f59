#!/usr/bin/env python3
"""Writes the Pillow resize golden set used by PillowBicubicResamplerGoldenTest.

Usage (Debian python3-pil 9.4 + numpy; the reference and the corpus paths are arguments):
  /usr/bin/python3 gen_pillow_golden.py SLICING_REFERENCE.py REAL_IMAGES_DIR OUTPUT_DIR

Writes small RGB PNG sources (synthetic photo-like noise, text, checkerboard, strips, and crops
of three corpus files), Pillow's Image.resize(..., BICUBIC) of each to several down- and
up-scaled sizes, and the full MiniCPM-V slicing path (overview + row-major slices) at scale 448
and 112. manifest.tsv lists every expected output:
  resize  SOURCE  WIDTH  HEIGHT  EXPECTED
  slice   SOURCE  SCALE  PATCH  MAX_SLICES  INDEX  EXPECTED      (INDEX 0 = overview)
Deterministic (fixed seeds); PNG is lossless, so the bytes are exactly Pillow's pixels.
"""
import importlib.util
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

BICUBIC = Image.Resampling.BICUBIC


def load_reference(path):
    spec = importlib.util.spec_from_file_location("slicing_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def photo_like(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack([
        128 + 100 * np.sin(x / 17.0) * np.cos(y / 23.0),
        128 + 90 * np.cos((x + y) / 31.0),
        128 + 110 * np.sin(np.hypot(x - w / 2, y - h / 2) / 9.0),
    ], axis=-1)
    noise = rng.normal(0, 18, size=(h, w, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def smooth_scene(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    arr = np.stack([255 * x / w, 255 * y / h, 128 + 127 * np.sin((x + 2 * y) / 40.0)], axis=-1)
    img = Image.fromarray(arr.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    d.rectangle([w // 5, h // 4, w // 2, h // 2], fill=(250, 20, 30))
    d.ellipse([w // 2, h // 3, w - 20, h - 20], fill=(10, 10, 10), outline=(255, 255, 255), width=3)
    d.text((15, 10), "Glimpse slicing golden 0123456789", fill=(255, 255, 0))
    return img


def text_page(w, h):
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    for row in range(0, h - 10, 12):
        d.text((4, row), "The quick brown fox jumps over 13 lazy dogs; OCR %d" % row, fill=(0, 0, 0))
    return img


def checkerboard(w, h, cell):
    y, x = np.mgrid[0:h, 0:w]
    on = ((x // cell + y // cell) % 2).astype(np.uint8) * 255
    return Image.fromarray(np.stack([on, 255 - on, on // 2], axis=-1), "RGB")


def main(reference_path, corpus, out_dir):
    ref = load_reference(reference_path)
    os.makedirs(out_dir, exist_ok=True)
    sources = {
        "photo_151x109": photo_like(151, 109, 7),
        "text_320x96": text_page(320, 96),
        "checker_97x61": checkerboard(97, 61, 3),
        "strip_7x250": photo_like(7, 250, 11),
        "strip_400x5": photo_like(400, 5, 13),
        "scene_700x400": smooth_scene(700, 400),
        "testorig_crop_150x120": Image.open(os.path.join(corpus, "jpeg/libjpeg-turbo/testorig.jpg"))
            .convert("RGB").crop((40, 10, 190, 130)),
        "hopper_crop_96x128": Image.open(os.path.join(corpus, "gif/pillow/hopper.gif"))
            .convert("RGB").crop((16, 0, 112, 128)),
        "phototest_crop_260x90": Image.open(os.path.join(corpus, "documents/tesseract/phototest.tif"))
            .convert("RGB").crop((30, 40, 290, 130)),
    }
    resize_targets = {
        "photo_151x109": [(56, 42), (98, 70), (211, 153), (151, 50), (75, 109), (1, 1), (28, 14)],
        "text_320x96": [(112, 42), (420, 126), (160, 48), (333, 97)],
        "checker_97x61": [(14, 14), (200, 126), (48, 30), (97, 200)],
        "strip_7x250": [(14, 476), (14, 98), (28, 1000)],
        "strip_400x5": [(812, 14), (98, 14), (400, 28)],
        "scene_700x400": [(224, 126)],
        "testorig_crop_150x120": [(56, 42), (224, 182), (140, 112)],
        "hopper_crop_96x128": [(42, 56), (140, 182)],
        "phototest_crop_260x90": [(182, 70), (784, 266)],
    }
    slice_configs = {
        "scene_700x400": [(448, 14, 9), (112, 14, 4)],
        "photo_151x109": [(112, 14, 9)],
        "text_320x96": [(112, 14, 4)],
        "strip_7x250": [(112, 14, 2)],
        "testorig_crop_150x120": [(112, 14, 9)],
        "phototest_crop_260x90": [(112, 14, 9)],
    }
    lines = []
    for name, img in sources.items():
        img.save(os.path.join(out_dir, name + ".png"), optimize=True)
        for (w, h) in resize_targets[name]:
            out = f"{name}__{w}x{h}.png"
            img.resize((w, h), BICUBIC).save(os.path.join(out_dir, out), optimize=True)
            lines.append(f"resize\t{name}.png\t{w}\t{h}\t{out}")
        for (scale, patch, max_slices) in slice_configs.get(name, []):
            size = img.size
            grid = ref.get_sliced_grid(size, max_slices, scale)
            if grid is None:
                images = [img.resize(ref.find_best_resize(size, scale, patch, allow_upscale=True), BICUBIC)]
            else:
                images = [img.resize(ref.find_best_resize(size, scale, patch, allow_upscale=False), BICUBIC)]
                refine = ref.get_refine_size(size, grid, scale, patch, allow_upscale=True)
                refined = img.resize(refine, BICUBIC)
                sw, sh = refine[0] // grid[0], refine[1] // grid[1]
                for r in range(grid[1]):
                    for c in range(grid[0]):
                        images.append(refined.crop((c * sw, r * sh, (c + 1) * sw, (r + 1) * sh)))
            for index, part in enumerate(images):
                out = f"{name}__s{scale}p{patch}m{max_slices}__{index}.png"
                part.save(os.path.join(out_dir, out), optimize=True)
                lines.append(f"slice\t{name}.png\t{scale}\t{patch}\t{max_slices}\t{index}\t{out}")
    with open(os.path.join(out_dir, "manifest.tsv"), "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(sources)} sources and {len(lines)} expected outputs to {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
