#!/usr/bin/python3
"""Checks glimpse_train.slicing.plan against the project's oracle (slicing_reference.py in the training folder,
see docs/slicing.md) at scale 112 on 5000 random sizes and max_slice_nums in {1, 4, 9}.

usage: check_slicing.py [PATH/TO/slicing_reference.py]
"""
import importlib.util
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the training folder (glimpse_train, train.py)
from glimpse_train import slicing


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slicing_reference.py")
    spec = importlib.util.spec_from_file_location("slicing_reference", path)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    rng = random.Random(0)
    for _ in range(5000):
        w, h, m = rng.randint(14, 1200), rng.randint(14, 1200), rng.choice([1, 4, 9])
        g = ref.get_sliced_grid((w, h), m, 112)
        if g is None:
            want = dict(grid=None, overview=ref.find_best_resize((w, h), 112, 14, True), slice=None, refine=None)
        else:
            r = ref.get_refine_size((w, h), g, 112, 14, True)
            want = dict(grid=g, overview=ref.find_best_resize((w, h), 112, 14, False),
                        slice=(r[0] // g[0], r[1] // g[1]), refine=r)
        got = slicing.plan((w, h), m)
        assert got == want, ((w, h, m), got, want)
    print("slicing plans identical to the oracle on 5000 sizes")


if __name__ == "__main__":
    main()
