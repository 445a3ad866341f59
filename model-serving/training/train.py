#!/usr/bin/python3
"""Trains the tiny model on synthetic data (CPU). Resumable: restarts from OUT/latest.pt if present.

usage: nice -n 10 /usr/bin/python3 train.py --tokenizer ../models/glimpse-tiny/tokenizer.json --out DIR
                                            [--steps 10000] [--batch 32] [--seed 17] [--minutes M]
The batch at step s is drawn from random.Random(seed * 1_000_003 + s), so data does not depend on restarts.
Logs go to OUT/train_log.csv; checkpoints are written atomically (tmp + rename) every --ckpt-min minutes.
"""
import os
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")     # shared 2-core machine: no OpenMP spin-waiting
import argparse
import csv
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from glimpse_train import batching
from glimpse_train.data import make_sample
from glimpse_train.model import Config, GlimpseModel
from glimpse_train.tokenizer import Tokenizer

WORD_PHASE = 2500      # steps of captions + moderation + single-word OCR before lines/pages join


def task_mix(step):
    """Each batch holds one task group (short caption batches are not padded to OCR-line length)."""
    if step < WORD_PHASE:
        return [("caption", 0.50), ("moderation", 0.30), ("ocr_word", 0.20)]
    return [("caption", 0.35), ("moderation", 0.20), ("ocr_word", 0.15), ("ocr_lines", 0.30)]


def draw_batch(seed, step, n):
    rng = random.Random(seed * 1_000_003 + step)
    tasks, weights = zip(*task_mix(step))
    group = rng.choices(tasks, weights)[0]
    if group == "ocr_lines":
        n = max(1, n // 2)
    out = []
    for _ in range(n):
        t = group if group != "ocr_lines" else rng.choice(["ocr_line", "ocr_page"])
        s = make_sample(rng, t)
        if t in ("ocr_line", "ocr_page") and rng.random() < 0.15:
            s["max_slices"] = 1          # overview-only lines, as in TRAINING.md
        out.append(s)
    return out


def lr_at(step, base, warmup, total):
    if step < warmup:
        return base * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


def aux_weight(step):
    return max(0.3, 1.0 - 0.7 * step / 2000)


def losses(model, b, tok, cfg):
    feats, vit_states, valid = model.vision(b["pixel_values"], b["tgt_sizes"], return_states=True)
    emb = model.embed_with_images(b["input_ids"], feats, tok.id("<unk>"))
    logits, _ = model.decoder(emb, b["attention_mask"], b["position_ids"])
    lg = logits[:, :-1].reshape(-1, logits.shape[-1])
    lab = b["labels"][:, 1:].reshape(-1)
    lm = F.cross_entropy(lg, lab, ignore_index=-100)
    with torch.no_grad():
        m = lab != -100
        acc = (lg.argmax(-1)[m] == lab[m]).float().mean().item()
    out = {"lm": lm, "tok_acc": acc}
    pl = b["patch_labels"]
    if (pl >= 0).any():
        pc = model.patch_char_head(vit_states)
        out["patch"] = F.cross_entropy(pc.reshape(-1, pc.shape[-1]), pl.reshape(-1), ignore_index=-100)
        idx = [n for n, t in enumerate(b["ctc_targets"]) if t is not None]
        lp = F.log_softmax(model.ctc_head(feats[idx]), dim=-1).transpose(0, 1)      # [Q,n,C]
        tg = [b["ctc_targets"][n] for n in idx]
        flat = torch.tensor([c for t in tg for c in t], dtype=torch.long)
        out["ctc"] = F.ctc_loss(lp, flat, torch.full((len(idx),), lp.shape[0], dtype=torch.long),
                                torch.tensor([len(t) for t in tg], dtype=torch.long), blank=0,
                                zero_infinity=True)
    sl = b["scene_patch_labels"]
    if (sl >= 0).any():
        sc = model.scene_patch_head(vit_states)
        out["scene_patch"] = F.cross_entropy(sc.reshape(-1, sc.shape[-1]), sl.reshape(-1), ignore_index=-100)
        with torch.no_grad():
            m = (sl > 0)
            out["scene_patch_acc"] = (sc.argmax(-1)[m] == sl[m]).float().mean().item() if m.any() else 0.0
        idx = [n for n, t in enumerate(b["scene_seq"]) if t is not None]
        lp = F.log_softmax(model.scene_ctc_head(feats[idx]), dim=-1).transpose(0, 1)
        tg = [b["scene_seq"][n] for n in idx]
        if sum(len(t) for t in tg) > 0:
            out["scene_ctc"] = F.ctc_loss(lp, torch.tensor([c for t in tg for c in t], dtype=torch.long),
                                          torch.full((len(idx),), lp.shape[0], dtype=torch.long),
                                          torch.tensor([len(t) for t in tg], dtype=torch.long), blank=0,
                                          zero_infinity=True)
    return out


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=900)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--minutes", type=float, default=1e9, help="stop (after a checkpoint) after this long")
    ap.add_argument("--ckpt-min", type=float, default=4.0)
    ap.add_argument("--snapshot-every", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--query-num", type=int, default=16)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    tok = Tokenizer.load(a.tokenizer)
    cfg = Config(vocab=len(tok.vocab), query_num=a.query_num)
    torch.manual_seed(a.seed)
    model = GlimpseModel(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98))
    step, minutes_before = 0, 0.0
    latest = os.path.join(a.out, "latest.pt")
    if os.path.exists(latest):
        ck = torch.load(latest)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, minutes_before = ck["step"], ck.get("train_minutes", 0.0)
        print("resumed from step", step, flush=True)
    log_path = os.path.join(a.out, "train_log.csv")
    new_log = not os.path.exists(log_path)
    logf = open(log_path, "a", newline="")
    log = csv.writer(logf)
    if new_log:
        log.writerow(["step", "train_minutes", "lr", "loss_lm", "tok_acc", "loss_patch", "loss_ctc", "images_per_s",
                      "tasks", "loss_scene_patch", "scene_patch_acc", "loss_scene_ctc"])
    t0 = time.time()
    last_ck = time.time()
    agg, n_img, t_win = {}, 0, time.time()
    group_counts = {}

    def checkpoint():
        mins = minutes_before + (time.time() - t0) / 60
        obj = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "config": cfg.to_dict(),
               "train_minutes": mins, "seed": a.seed, "batch": a.batch, "lr": a.lr, "total_steps": a.steps,
               "warmup": a.warmup}
        save_atomic(obj, latest)
        if step % a.snapshot_every == 0 or step == a.steps:
            save_atomic({k: obj[k] for k in ("model", "step", "config", "train_minutes", "seed", "batch", "lr",
                                             "total_steps")},
                        os.path.join(a.out, "model_step%06d.pt" % step))

    model.train()
    while step < a.steps:
        samples = draw_batch(a.seed, step, a.batch)
        b = batching.collate(samples, tok, cfg.query_num)
        g = samples[0].get("kind", samples[0]["task"])
        group_counts[g] = group_counts.get(g, 0) + 1
        lr = lr_at(step, a.lr, a.warmup, a.steps)
        for g in opt.param_groups:
            g["lr"] = lr
        out = losses(model, b, tok, cfg)
        w = aux_weight(step)
        loss = out["lm"] + w * (out.get("patch", 0.0) + 0.1 * out.get("ctc", 0.0) + out.get("scene_patch", 0.0)
                                + 0.5 * out.get("scene_ctc", 0.0))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        n_img += len(samples)
        for k in ("lm", "tok_acc", "patch", "ctc", "scene_patch", "scene_patch_acc", "scene_ctc"):
            if k in out:
                v = out[k]
                agg.setdefault(k, []).append(float(v))
        if step % 10 == 0:
            dt = time.time() - t_win
            mean = {k: sum(v) / len(v) for k, v in agg.items()}
            tasks = "/".join("%s:%.2f" % (t, wt) for t, wt in task_mix(step))
            log.writerow([step, "%.2f" % (minutes_before + (time.time() - t0) / 60), "%.2e" % lr,
                          "%.4f" % mean.get("lm", 0), "%.4f" % mean.get("tok_acc", 0),
                          "%.4f" % mean.get("patch", 0), "%.4f" % mean.get("ctc", 0), "%.1f" % (n_img / dt), tasks,
                          "%.4f" % mean.get("scene_patch", 0), "%.4f" % mean.get("scene_patch_acc", 0),
                          "%.4f" % mean.get("scene_ctc", 0)])
            logf.flush()
            print(step, group_counts, {k: round(v, 4) for k, v in mean.items()}, "img/s %.1f" % (n_img / dt), flush=True)
            agg, n_img, t_win = {}, 0, time.time()
            group_counts.clear()
        if time.time() - last_ck > a.ckpt_min * 60 or step % a.snapshot_every == 0:
            checkpoint()
            last_ck = time.time()
        if (time.time() - t0) / 60 > a.minutes:
            break
    checkpoint()
    print("done at step", step, flush=True)


if __name__ == "__main__":
    main()
