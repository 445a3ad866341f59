#!/usr/bin/python3
"""Fast self-checks of the Python side (no trained weights needed): strip layout, placeholder length,
tokenizer round trip, vision padding invariance, KV-cache and left-padding equivalence of the decoder, the
bundled model directory loading as a checkpoint, split checkpoints round-tripping exactly, data echoing in
train.py (--max-echo) keeping batches aligned across a resume, and train.py --data-mix (its errors, its per-batch
choice of data version, the choice recorded in and resumed from a checkpoint).

usage: selftest.py [TOKENIZER_JSON]    (default: the bundled model's)
"""
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the training folder (glimpse_train, train.py)
import numpy as np
import torch
from PIL import Image

from glimpse_train import checkpoint, data, slicing
from glimpse_train.model import Config, GlimpseModel
from glimpse_train.tokenizer import Tokenizer


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    tok_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "glimpse-tiny", "tokenizer.json")
    tok = Tokenizer.load(tok_path)
    # strip layout: conv over the strip == conv over the image, row-major
    img = Image.fromarray(np.random.RandomState(0).randint(0, 255, (42, 70, 3), dtype=np.uint8))
    strip, (hp, wp) = slicing.to_strip(img)
    assert (hp, wp) == (3, 5) and strip.shape == (3, 14, 15 * 14)
    full = (np.asarray(img, np.float32) / 255 - 0.5) / 0.5
    assert np.allclose(strip[:, :, 14 * 6:14 * 7], full[14:28, 14:28].transpose(2, 0, 1))     # patch (1,1) = #6
    # placeholder token count (docs/slicing.md 3.2 formula with Q and 1-digit image id)
    rng = random.Random(0)
    for _ in range(50):
        size = (rng.randint(30, 600), rng.randint(30, 600))
        p = slicing.plan(size, 9)
        ids = tok.encode(slicing.placeholder(p, 16))
        n = 1 + (p["grid"][0] * p["grid"][1] if p["grid"] else 0)
        want = 3 + 18 * n + (p["grid"][1] - 1 if p["grid"] else 0)
        assert len(ids) == want and ids.count(tok.id("<unk>")) == 16 * n, (size, len(ids), want)
    # tokenizer round trip, digits one per token
    for t in ["a red circle left of a blue square", "0123 45\nxy z", data.build_prompt("moderation", "<image>", "skull")]:
        assert tok.decode(tok.encode(t), skip_special=False) == t
    assert len(tok.encode("0123456789")) == 10
    # model: padding invariance of vision, KV cache == full pass, left padding == unpadded
    m = GlimpseModel(Config(vocab=len(tok.vocab))).eval()
    with torch.no_grad():
        pv = torch.randn(2, 3, 14, 30 * 14)
        ts = torch.tensor([[5, 6], [4, 5]])
        f = m.vision(pv, ts)
        f1 = m.vision(pv[1:, :, :, :20 * 14], ts[1:])
        assert torch.allclose(f[1], f1[0], atol=1e-5)
        e = torch.randn(1, 12, 256)
        full, _ = m.decoder(e, torch.ones(1, 12, dtype=torch.long), torch.arange(12)[None])
        _, past = m.decoder(e[:, :8], torch.ones(1, 8, dtype=torch.long), torch.arange(8)[None])
        inc, _ = m.decoder(e[:, 8:], torch.ones(1, 12, dtype=torch.long), torch.arange(8, 12)[None], past)
        assert torch.allclose(full[:, 8:], inc, atol=1e-4)
        pad = torch.cat([torch.zeros(1, 3, 256), e], 1)
        am = torch.tensor([[0, 0, 0] + [1] * 12])
        pos = torch.tensor([[0, 0, 0] + list(range(12))])
        lp, _ = m.decoder(pad, am, pos)
        assert torch.allclose(lp[:, 3:], full, atol=1e-4)
    # the bundled model directory is a checkpoint (unfolded export): every exported weight comes back
    model_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "glimpse-tiny")
    ck = checkpoint.load(model_dir)
    shipped = GlimpseModel(Config(**ck["config"]))
    checkpoint.load_into(shipped, ck)
    exported = [k for k in shipped.state_dict() if not k.startswith(checkpoint.AUX_HEADS)]
    assert sorted(ck["model"]) == sorted(exported), "model directory misses weights"
    # split checkpoints (npz parts) round-trip exactly
    with tempfile.TemporaryDirectory() as d:
        checkpoint.save_split({"model": shipped.state_dict(), "step": 1, "config": ck["config"]}, d + "/w",
                              max_part_bytes=4 << 20)
        back = checkpoint.load(d + "/w")
        assert len(os.listdir(d + "/w")) > 3
        assert all(torch.equal(back["model"][k], v) for k, v in shipped.state_dict().items())
    # widening the resampler to twice its queries (16 -> 32 made 0.4.0): each query twice (up to the seeded
    # noise), the rest untouched
    n = ck["config"]["query_num"]
    wide = checkpoint.with_query_num(ck, 2 * n, seed=1)
    q, q2 = ck["model"]["vision.resampler.query"], wide["model"]["vision.resampler.query"]
    assert q.shape[0] == n and q2.shape == (2 * n, q.shape[1]) and wide["config"]["query_num"] == 2 * n
    assert torch.allclose(q2[0::2], q, atol=0.1 * float(q.std())) and not torch.equal(q2[0::2], q2[1::2])
    checkpoint.load_into(GlimpseModel(Config(**wide["config"])), wide)
    assert checkpoint.with_query_num(ck, n) is ck
    check_data_echo(tok_path)
    check_data_mix(tok_path)
    print("selftest passed")


def check_data_echo(tok_path):
    """train.py --max-echo with a loader slower than the step: batches are reused, every step still gets
    the batch its index says, and a resumed run continues at the next unused batch."""
    import time
    import train
    slow_getitem = train.StepBatches.__getitem__

    def slow(self, i):
        time.sleep(0.5)
        return slow_getitem(self, i)

    train.StepBatches.__getitem__ = slow
    argv = sys.argv
    try:
        with tempfile.TemporaryDirectory() as d:
            for steps in (12, 16):
                sys.argv = ["train.py", "--tokenizer", tok_path, "--out", d, "--steps", str(steps), "--batch", "2",
                            "--max-echo", "3", "--word-phase", "0", "--ckpt-min", "100", "--snapshot-every", "1000000"]
                train.main()     # asserts that each step's batch is the one its index names
                ck = torch.load(os.path.join(d, "latest.pt"))
                assert ck["step"] == steps and ck["batches"] < steps and ck["max_echo"] == 3, \
                    (ck["step"], ck["batches"])
    finally:
        train.StepBatches.__getitem__ = slow_getitem
        sys.argv = argv


def check_data_mix(tok_path):
    """train.py --data-mix: exact errors; batch s comes from the version the seed and s choose, and is the batch
    a run on that version alone draws at s; the mix is written to the checkpoint and kept by a resumed run."""
    import argparse
    import io
    from contextlib import redirect_stderr
    import train
    assert train.parse_data_mix("1=0.5,2=0.5") == [(1, 0.5), (2, 0.5)]
    assert train.parse_data_mix("2=3") == [(2, 3.0)]
    for text, error in [("1=0.5,3=0.5", "'3=0.5': expected VERSION=WEIGHT with VERSION in 1/2, e.g. 1=0.5,2=0.5"),
                        ("1", "'1': expected VERSION=WEIGHT with VERSION in 1/2, e.g. 1=0.5,2=0.5"),
                        ("1=0,2=1", "'1=0': the weight must be a positive number"),
                        ("1=half", "'1=half': the weight must be a positive number"),
                        ("2=1,2=1", "version 2 given twice")]:
        try:
            train.parse_data_mix(text)
            raise AssertionError("accepted --data-mix " + text)
        except argparse.ArgumentTypeError as e:
            assert str(e) == error, (text, str(e))
    mix = [(1, 0.5), (2, 0.5)]
    chosen = [train.data_version_at(31, s, mix) for s in range(400)]
    assert chosen == [train.data_version_at(31, s, mix) for s in range(400)]
    assert 150 < chosen.count(1) < 250 and chosen.count(1) + chosen.count(2) == 400, chosen.count(1)
    assert all(train.data_version_at(31, s, [(1, 1.0)]) == 1 for s in range(20))
    lines_from = type("Shared", (), {"value": 0})()
    tok = Tokenizer.load(tok_path)
    mixed = train.StepBatches(31, 2, tok, 16, lines_from, data_mix=mix)
    for s in (chosen.index(1), chosen.index(2)):
        alone = train.StepBatches(31, 2, tok, 16, lines_from, data_mix=[(chosen[s], 1.0)])[s]
        b = mixed[s]
        assert b["group"] == alone["group"] + "@v%d" % chosen[s], (b["group"], alone["group"])
        assert torch.equal(b["pixel_values"], alone["pixel_values"]) and torch.equal(b["input_ids"], alone["input_ids"])
    argv = sys.argv
    try:
        with tempfile.TemporaryDirectory() as d:
            base = ["train.py", "--tokenizer", tok_path, "--out", d, "--batch", "2", "--word-phase", "0",
                    "--ckpt-min", "100", "--snapshot-every", "1000000", "--seed", "31"]
            sys.argv = base + ["--steps", "2", "--data-mix", "1=0.5,2=0.5"]
            train.main()
            ck = torch.load(os.path.join(d, "latest.pt"))
            assert ck["data_mix"] == mix and ck["data_version"] is None and ck["step"] == 2, ck["data_mix"]
            sys.argv = base + ["--steps", "3"]     # resumed without a data flag: the checkpoint's mix
            train.main()
            ck = torch.load(os.path.join(d, "latest.pt"))
            assert ck["data_mix"] == mix and ck["step"] == 3, ck["data_mix"]
            sys.argv = base + ["--steps", "3", "--data-version", "2", "--data-mix", "1=1"]
            err = io.StringIO()
            try:
                with redirect_stderr(err):
                    train.main()
                raise AssertionError("accepted --data-version with --data-mix")
            except SystemExit as e:
                assert e.code == 2 and err.getvalue().endswith(
                    "error: --data-version and --data-mix exclude each other (--data-version N is --data-mix N=1)\n"), \
                    err.getvalue()
    finally:
        sys.argv = argv


if __name__ == "__main__":
    main()
