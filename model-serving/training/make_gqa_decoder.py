#!/usr/bin/python3
"""Gives a model directory exported before glimpse-tiny 0.4.2 (concat-style decoder.onnx only) the
GroupQueryAttention-style decoder beside its concat one, both over one decoder.weights file: see
glimpse_train/gqa_decoder.py for the graph and the files. export_model.py does this itself since 0.4.2.

usage: make_gqa_decoder.py MODEL_DIR
"""
import json
import os
import sys

from glimpse_train import export, gqa_decoder


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    model_dir = sys.argv[1]
    manifest, n_gqa, n_concat = gqa_decoder.convert(model_dir)
    with open(os.path.join(model_dir, "model.json"), "w") as f:
        f.write(export.dumps(manifest))
    print("%s: decoder.onnx (gqa, %d nodes), %s (%d nodes), %s"
          % (model_dir, n_gqa, gqa_decoder.CONCAT, n_concat, gqa_decoder.WEIGHTS))


if __name__ == "__main__":
    main()
