#!/usr/bin/env python3
"""Writes the slicing golden file used by SlicePlannerGoldenTest.

Usage:
  python3 gen_slicing_golden.py PATH/TO/slicing_reference.py OUTPUT.tsv

The reference (MiniCPM-V HF semantics, pure Python) is imported from the path given
as the first argument, so nothing machine-specific is committed. Output is one row per
(config, size): scale patch maxSlices width height grid overview slice refine, with sizes
written as WxH and '-' for "none". Deterministic (fixed seed).
"""
import importlib.util
import random
import sys


def load_reference(path):
    spec = importlib.util.spec_from_file_location("slicing_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plan(ref, size, scale, patch, max_slices):
    # reference_plan() hard-codes 448/14; call its helpers with explicit parameters.
    grid = ref.get_sliced_grid(size, max_slices, scale)
    if grid is None:
        return None, ref.find_best_resize(size, scale, patch, allow_upscale=True), None, None
    overview = ref.find_best_resize(size, scale, patch, allow_upscale=False)
    refine = ref.get_refine_size(size, grid, scale, patch, allow_upscale=True)
    return grid, overview, (refine[0] // grid[0], refine[1] // grid[1]), refine


def fmt(pair):
    return "-" if pair is None else f"{pair[0]}x{pair[1]}"


def sizes(rng, count, max_side):
    out = list(ref_defaults)
    out += [(1, 7241), (7241, 1), (4000, 100), (100, 4000), (1, 1), (1, 20000), (20000, 1),
            (2, 3), (14, 14), (447, 449), (449, 447), (448, 449), (2000, 100), (410, 900),
            (147, 147), (294, 1470), (32768, 1), (1, 32768), (16384, 16384), (8000, 8000)]
    out += [(s, s) for s in range(50, 3100, 97)]  # squares hit the first-wins tie rule
    for _ in range(count):
        kind = rng.random()
        if kind < 0.6:  # log-uniform sides: photos, thumbnails and strips
            w = int(round(10 ** rng.uniform(0, 3.9)))
            h = int(round(10 ** rng.uniform(0, 3.9)))
        elif kind < 0.8:  # common aspect ratios
            base = rng.randint(50, 5000)
            num, den = rng.choice([(4, 3), (3, 4), (16, 9), (9, 16), (3, 2), (2, 3), (1, 2), (2, 1), (1, 1), (21, 9)])
            w, h = base * num // den, base
        else:  # extreme strips
            long_side = rng.randint(500, 12000)
            short_side = rng.randint(1, 120)
            w, h = (long_side, short_side) if rng.random() < 0.5 else (short_side, long_side)
        out.append((max(1, min(w, max_side)), max(1, min(h, max_side))))
    seen, unique = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            unique.append(s)
    return unique


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ref = load_reference(sys.argv[1])
    ref_defaults = list(ref.DEFAULT)
    rng = random.Random(20261126)
    configs = [(448, 14, 9, 2400), (448, 14, 1, 300), (448, 14, 2, 400), (448, 14, 4, 400),
               (112, 14, 9, 1200), (112, 14, 2, 300), (112, 14, 4, 300)]
    rows = 0
    with open(sys.argv[2], "w", encoding="ascii", newline="\n") as f:
        f.write("# scale\tpatch\tmaxSlices\twidth\theight\tgrid\toverview\tslice\trefine\n")
        for scale, patch, max_slices, count in configs:
            for size in sizes(rng, count, 32768):
                grid, overview, slice_size, refine = plan(ref, size, scale, patch, max_slices)
                if (scale, patch, max_slices) == (448, 14, 9):
                    expected = ref.reference_plan(size)
                    assert (grid, overview, slice_size, refine) == (
                        expected["grid"], expected["overview"], expected["slice"], expected["refine"]), size
                f.write(f"{scale}\t{patch}\t{max_slices}\t{size[0]}\t{size[1]}\t{fmt(grid)}\t"
                        f"{fmt(overview)}\t{fmt(slice_size)}\t{fmt(refine)}\n")
                rows += 1
    print(f"wrote {rows} rows to {sys.argv[2]}")
