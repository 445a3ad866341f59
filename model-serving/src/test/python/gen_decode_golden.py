#!/usr/bin/env python3
"""Writes the pixel hashes Pillow gets for the lossless files of the real-image corpus.

Usage (Debian python3-pil 9.4):
  /usr/bin/python3 gen_decode_golden.py REAL_IMAGES_DIR OUTPUT.tsv

For every PNG, BMP, GIF (first frame) and TIFF file Pillow can open, the row is
  path  width  height  sha256
where sha256 covers width and height (big-endian int32 each) and the RGB bytes of
ImageOps.exif_transpose(Image.open(path)).convert("RGB") -- the same definition as
dev.glimpse.serving.image.ContentHash. JPEG and WebP are lossy (decoders differ by design)
and JPEG-compressed TIFFs are skipped for the same reason. Files Pillow rejects are skipped.
"""
import hashlib
import os
import struct
import sys

from PIL import Image, ImageOps

LOSSLESS = (".png", ".bmp", ".gif", ".tif", ".tiff")


def main(corpus, output):
    rows = []
    for root, _, files in os.walk(corpus):
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, corpus).replace(os.sep, "/")
            if not name.lower().endswith(LOSSLESS):
                continue
            try:
                with Image.open(path) as im:
                    if im.format not in ("PNG", "BMP", "GIF", "TIFF"):
                        continue
                    if im.format == "TIFF" and im.info.get("compression") in ("jpeg", "tiff_jpeg"):
                        continue
                    if im.format == "BMP" and im.info.get("compression") not in (None, 0, 1, 2, 3):
                        continue
                    rgb = ImageOps.exif_transpose(im).convert("RGB")
            except Exception:  # noqa: BLE001 - Pillow rejecting a file just means no row
                continue
            digest = hashlib.sha256(struct.pack(">ii", rgb.width, rgb.height) + rgb.tobytes()).hexdigest()
            rows.append(f"{rel}\t{rgb.width}\t{rgb.height}\t{digest}")
    rows.sort()
    with open(output, "w", encoding="ascii", newline="\n") as f:
        f.write("# path\twidth\theight\tsha256 of Pillow's exif_transpose(...).convert('RGB')\n")
        f.write("\n".join(rows) + "\n")
    print(f"wrote {len(rows)} rows to {output}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
