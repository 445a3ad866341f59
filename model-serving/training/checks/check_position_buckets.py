#!/usr/bin/python3
"""NaViT position buckets: Glimpse's integer rule vs the HF reference, for every patch-grid side.

`checks/check_position_buckets.py [B]` (B = buckets per side, 70 for MiniCPM-V 2.6) checks that
glimpse_train.model.bucketize_reference (a table gather that exports) equals HF's own computation
(torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / n), torch.arange(1 / B, 1.0, 1 / B), right=True), on
the CPU), then lists the sides n where floor(B * i / n) differs from it for some i. Exit status 1
if the exportable form ever differs from torch.bucketize. Needs torch only.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the training folder
from glimpse_train.model import bucketize_reference


def main(argv):
    B = int(argv[0]) if argv else 70
    bounds = torch.arange(1 / B, 1.0, 1 / B)
    differ = []
    for n in range(1, 4 * B + 1):
        hf = torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / n), bounds, right=True)
        idx = torch.arange(n)
        ours = bucketize_reference(idx.unsqueeze(0), torch.tensor([[n]]), B)[0]
        if not torch.equal(hf, ours):
            print(f"n={n}: the exportable form differs from torch.bucketize", file=sys.stderr)
            return 1
        floor = idx * B // n
        bad = (floor != hf).nonzero().flatten().tolist()
        if bad:
            differ.append((n, bad))
    print(f"B={B}: exportable bucketize == torch.bucketize for n = 1..{4 * B}")
    print(f"floor differs from the reference for {len(differ)} of {4 * B} sides:")
    for n, rows in differ:
        ref = torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / n), bounds, right=True)
        print(f"  n={n}: rows {rows}: floor {[r * B // n for r in rows]}, reference "
              f"{ref[rows].tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
