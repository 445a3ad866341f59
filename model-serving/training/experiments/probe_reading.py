#!/usr/bin/python3
"""Probe: how fast does the decoder learn to READ OCR answers from its visual tokens?

Trains the decoder alone (vision fixed) on OCR batches and prints the teacher-forced answer loss / token accuracy on
fixed held-out word, line and page batches every 100 steps, with one of two kinds of visual tokens:

* ``--tokens real``: the vision graph's outputs, as in ``train.py --freeze-vision``;
* ``--tokens oracle``: a perfect reader's tokens: for every image (overview and slices), the characters it contains
  (the same per-image targets as the CTC loss) written in order as the decoder's own token embeddings, spread evenly
  over the query slots (character k of L at slot k*Q//L, at most Q per image), a learned blank vector elsewhere;
* ``--tokens mix``: each training batch gets oracle tokens with probability ``--oracle-frac``, real ones otherwise
  (a reading curriculum: the decoder learns to read on clean tokens while it sees the real ones); oracle tokens are
  then scaled to the real tokens' mean norm. The held-out numbers are then given for both kinds.

Real tokens that read no worse than oracle ones would put the bottleneck in the decoder; oracle tokens that are read
much sooner put it in the form of the visual tokens (STATUS.md records what it showed). Nothing is written unless
``--save`` is given; this is a diagnostic, not part of the training recipe.

usage: probe_reading.py [--init ../models/glimpse-tiny] [--tokens oracle|real|mix] [--oracle-frac 0.5]
                        [--minutes 20] [--threads 2]
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the training folder (glimpse_train, train.py)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch

from glimpse_train import batching, checkpoint, data
from glimpse_train.model import Config, GlimpseModel
from glimpse_train.tokenizer import Tokenizer
from glimpse_train.losses import answer_loss

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE_SEED = 930_000_000          # held-out batches; never used by training (seed*1_000_003 + step)


def ocr_batch(rng, tok, n, kinds, query_num):
    samples = [data.make_sample(rng, rng.choice(kinds)) for _ in range(n)]
    b = batching.collate(samples, tok, query_num)
    b["pixel_values"] = b["pixel_values"].float()
    return b


class OracleTokens(torch.nn.Module):
    """Each image's characters as the decoder's char embeddings, spread over the query slots; a learned blank."""

    def __init__(self, model, tok, norm=None):
        super().__init__()
        self.model = model
        self.norm = norm
        self.query_num = model.c.query_num
        self.blank = torch.nn.Parameter(torch.zeros(model.c.hidden))
        self.char_ids = torch.tensor([0] + batching.ocr_char_token_ids(tok))

    def forward(self, ctc_targets):
        q = self.query_num
        emb = self.model.decoder.embed_tokens.weight
        out = self.blank.expand(len(ctc_targets), q, emb.shape[1]).clone()
        for i, target in enumerate(ctc_targets):
            target = (target or [])[:q]
            for k, c in enumerate(target):
                e = emb[self.char_ids[c]]
                out[i, k * q // len(target)] = e if self.norm is None else e * (self.norm / e.norm())
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--init", default=os.path.join(HERE, "..", "..", "models", "glimpse-tiny"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "..", "..", "models", "glimpse-tiny", "tokenizer.json"))
    ap.add_argument("--tokens", choices=("oracle", "real", "mix"), default="oracle")
    ap.add_argument("--oracle-frac", type=float, default=0.5, help="with --tokens mix: share of oracle batches")
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16, help="word batches; line/page batches get half")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--save", help="write the trained weights here at the end")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tok = Tokenizer.load(a.tokenizer)
    ck = checkpoint.load(a.init)
    model = GlimpseModel(Config(**ck["config"]))
    checkpoint.load_into(model, ck)
    for p in model.vision.parameters():
        p.requires_grad_(False)
    held = [(kind, ocr_batch(random.Random(PROBE_SEED + k), tok, 16, [kind], model.c.query_num))
            for k, kind in enumerate(["ocr_word", "ocr_line", "ocr_page"] * 2)]
    # the vision is fixed: the held-out batches' real tokens are computed once
    with torch.no_grad():
        held_real = [model.vision(b["pixel_values"], b["tgt_sizes"]) for _, b in held] if a.tokens != "oracle" else None
    oracle = OracleTokens(model, tok, held_real[1].norm(dim=-1).mean().item() if a.tokens == "mix" else None)

    def tokens(b, use_oracle):
        if use_oracle:
            return oracle(b["ctc_targets"])
        with torch.no_grad():
            return model.vision(b["pixel_values"], b["tgt_sizes"])

    def held_out():
        model.eval()
        res = {}
        kinds = {"oracle": [True], "real": [False], "mix": [False, True]}[a.tokens]
        with torch.no_grad():
            for use_oracle in kinds:
                for n, (kind, b) in enumerate(held):
                    o = answer_loss(model, b, tok, oracle(b["ctc_targets"]) if use_oracle else held_real[n])
                    key = kind + ("/oracle" if use_oracle and a.tokens == "mix" else "")
                    loss, acc = res.get(key, (0.0, 0.0))
                    res[key] = (loss + o["lm"].item() / 2, acc + o["tok_acc"].item() / 2)
        model.train()
        return " ".join("%s %.3f/%.2f" % (k, loss, acc) for k, (loss, acc) in res.items())

    params = list(model.decoder.parameters()) + ([oracle.blank] if a.tokens != "real" else [])
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    print("tokens %s, init %s; held-out answer loss/token accuracy" % (a.tokens, a.init), flush=True)
    print("step 0", held_out(), flush=True)
    t0, step = time.time(), 0
    while time.time() - t0 < a.minutes * 60:
        rng = random.Random(a.seed * 1_000_003 + step)
        lines = rng.random() < 0.7
        b = ocr_batch(rng, tok, a.batch // 2 if lines else a.batch,
                      ["ocr_line", "ocr_page"] if lines else ["ocr_word"], model.c.query_num)
        use_oracle = a.tokens == "oracle" or (a.tokens == "mix" and rng.random() < a.oracle_frac)
        loss = answer_loss(model, b, tok, tokens(b, use_oracle))["lm"]
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            print("step %d %.1f min" % (step, (time.time() - t0) / 60), held_out(), flush=True)
    if a.save:
        checkpoint.save_atomic({"model": model.state_dict(), "step": step, "config": model.c.to_dict()}, a.save)


if __name__ == "__main__":
    sys.exit(main())
