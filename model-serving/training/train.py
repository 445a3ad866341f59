#!/usr/bin/python3
"""Trains the tiny model on synthetic data, on CPU (Debian torch) or a CUDA GPU. Resumable from OUT/latest.pt.

usage: train.py --tokenizer ../models/glimpse-tiny/tokenizer.json --out DIR
                [--steps N | --fit-minutes M] [--batch 64] [--workers W] [--device auto|cpu|cuda] [--seed 17]
Batch number s is drawn from random.Random(seed * 1_000_003 + s) and depends only on (seed, s, the batch at which
text lines and pages join), so data does not depend on restarts or on the number of loader workers. Without
--max-echo (the default) batch s is used by optimizer step s; with --max-echo K > 1 a batch is reused for up to K
steps while the loader has no fresh one ready (a data-bound GPU), and the checkpoint records both counts.
Two schedules:
  --steps N        learning rate (warm-up, then cosine to 10%), the lines/pages phase (from --word-phase * N, or
                   --lines-from S) and the auxiliary-loss weight follow step / N;
  --fit-minutes M  the same curves follow elapsed time / M minutes, so a run fills a fixed time slot on hardware
                   of unknown speed (a lent GPU); the realised steps and the step at which lines joined are
                   written to the checkpoint and the log, and `--steps N --lines-from S` replays the data.
Logs go to OUT/train_log.csv; checkpoints are written atomically every --ckpt-min minutes; --split-out DIR also
writes the weights at every checkpoint as parts below 12 MB (glimpse_train/checkpoint.py), which load like a checkpoint file.
"""
import os
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")     # shared 2-core machine: no OpenMP spin-waiting
import argparse
import csv
import math
import multiprocessing
import queue
import random
import threading
import time

import torch

from glimpse_train import batching, checkpoint
from glimpse_train.losses import losses
from glimpse_train import data, varied
from glimpse_train.model import Config, GlimpseModel
from glimpse_train.tokenizer import Tokenizer

NEVER = 2 ** 62


WORD_MIX = [("caption", 0.50), ("moderation", 0.30), ("ocr_word", 0.20)]
LINES_MIX = [("caption", 0.25), ("moderation", 0.20), ("ocr_word", 0.10), ("ocr_lines", 0.45)]


def parse_mix(text):
    """"caption=0.4,moderation=0.35,ocr_word=0.05,ocr_lines=0.2" -> [(group, weight)]."""
    out = []
    for part in text.split(","):
        name, _, w = part.partition("=")
        if name not in ("caption", "moderation", "ocr_word", "ocr_lines"):
            raise ValueError("--mix: unknown task group %r (expected caption, moderation, ocr_word, ocr_lines)" % name)
        out.append((name, float(w)))
    return out


def task_mix(lines, lines_mix=None):
    """Each batch holds one task group (short caption batches are not padded to OCR-line length)."""
    return (lines_mix or LINES_MIX) if lines else WORD_MIX


DATA_VERSIONS = {1: data.make_sample, 2: varied.make_sample}     # glimpse_train/data.py, glimpse_train/varied.py


def parse_data_mix(text):
    """"1=0.5,2=0.5" -> [(1, 0.5), (2, 0.5)]: the share of batches drawn from each data version."""
    out = []
    for part in text.split(","):
        name, eq, w = part.partition("=")
        if not eq or not name.strip().isdigit() or int(name) not in DATA_VERSIONS:
            raise argparse.ArgumentTypeError("%r: expected VERSION=WEIGHT with VERSION in %s, e.g. 1=0.5,2=0.5"
                                             % (part, "/".join(map(str, sorted(DATA_VERSIONS)))))
        try:
            weight = float(w)
        except ValueError:
            weight = float("nan")
        if not (weight > 0 and math.isfinite(weight)):
            raise argparse.ArgumentTypeError("%r: the weight must be a positive number" % part)
        if int(name) in dict(out):
            raise argparse.ArgumentTypeError("version %d given twice" % int(name))
        out.append((int(name), weight))
    return out


def format_data_mix(mix):
    return ",".join("%d=%g" % (v, w) for v, w in mix)


def data_version_at(seed, step, data_mix):
    """The data version of batch `step`: a function of (seed, step, mix) only, so a resumed run draws the same
    versions. Its own generator (string seed), so a batch drawn from version v is the very batch a run on version v
    alone draws at that step."""
    if len(data_mix) == 1:
        return data_mix[0][0]
    versions, weights = zip(*data_mix)
    return random.Random("data-mix %d %d" % (seed, step)).choices(versions, weights)[0]


def draw_batch(seed, step, n, lines, lines_mix=None, data_version=2):
    rng = random.Random(seed * 1_000_003 + step)
    make_sample = DATA_VERSIONS[data_version]
    tasks, weights = zip(*task_mix(lines, lines_mix))
    group = rng.choices(tasks, weights)[0]
    if group == "ocr_lines":
        n = max(1, n // 2)
    out = []
    for _ in range(n):
        t = group if group != "ocr_lines" else rng.choice(["ocr_line", "ocr_page"])
        s = make_sample(rng, t)
        if t in ("ocr_line", "ocr_page") and rng.random() < 0.15:
            s["max_slices"] = 1          # overview-only lines, as in the CPU probe (docs/model.md)
        out.append(s)
    return out


class StepBatches(torch.utils.data.Dataset):
    """Index = training step -> collated batch. lines_from is shared with the loader's worker processes; the
    trainer only ever sets it to a step that no worker has been handed yet, so a batch never changes phase."""

    def __init__(self, seed, batch, tok, query_num, lines_from, lines_mix=None, data_mix=((2, 1.0),)):
        self.seed, self.batch, self.tok, self.query_num = seed, batch, tok, query_num
        self.lines_from, self.lines_mix, self.data_mix = lines_from, lines_mix, list(data_mix)

    def __len__(self):
        return NEVER

    def __getitem__(self, step):
        lines = step >= self.lines_from.value
        version = data_version_at(self.seed, step, self.data_mix)
        samples = draw_batch(self.seed, step, self.batch, lines, self.lines_mix, version)
        b = batching.collate(samples, self.tok, self.query_num)
        # uint8 pixels: a quarter of the bytes through the loader's shared memory; undone on the device
        b["pixel_values"] = ((b["pixel_values"] + 1.0) * 127.5).round_().clamp_(0, 255).to(torch.uint8)
        b["group"] = samples[0].get("kind", samples[0]["task"])
        if len(self.data_mix) > 1:
            b["group"] += "@v%d" % version
        b["images"] = len(samples)
        b["batch"] = step
        b["lines"] = lines
        return b


class Prefetcher:
    """Pulls batches from the loader on a background thread, so the training loop can see whether a fresh batch
    is ready (poll) instead of blocking on the loader."""

    def __init__(self, loader, depth):
        self.depth = depth
        self.queue = queue.Queue(maxsize=depth)
        threading.Thread(target=self._run, args=(loader,), daemon=True, name="prefetch").start()

    def _run(self, loader):
        for b in loader:
            self.queue.put(b)

    def poll(self):
        try:
            return self.queue.get_nowait()
        except queue.Empty:
            return None

    def next(self):
        return self.queue.get()


def _worker_init(_):
    torch.set_num_threads(1)


def lr_at(step, progress, base, warmup):
    warm = min(1.0, (step + 1) / warmup)
    return warm * base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def aux_weight(progress):
    return max(0.3, 1.0 - 0.7 * progress / 0.6)


def to_device(b, dev):
    # decided on the host: a test of the device tensors would wait for the GPU every step
    b["has_ocr"] = bool((b["patch_labels"] >= 0).any())
    b["has_scene"] = bool((b["scene_patch_labels"] >= 0).any())
    out = {k: (v.to(dev, non_blocking=True) if torch.is_tensor(v) else v) for k, v in b.items()}
    out["pixel_values"] = out["pixel_values"].to(torch.float32) / 127.5 - 1.0
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=900)
    ap.add_argument("--fit-minutes", type=float, help="time-based schedule filling M minutes (overrides --steps)")
    ap.add_argument("--word-phase", type=float, default=0.3, help="fraction of the run before lines/pages join")
    ap.add_argument("--lines-from", type=int, help="step at which lines/pages join (replays a --fit-minutes run)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--minutes", type=float, default=1e9, help="stop (after a checkpoint) after this long")
    ap.add_argument("--ckpt-min", type=float, default=4.0)
    ap.add_argument("--snapshot-every", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=0, help="data loader processes (0 = in the training loop)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--split-out", help="also write the weights, split into parts below 12 MB, here at every checkpoint")
    ap.add_argument("--mix", type=parse_mix, help="task mix once lines join, e.g. "
                    "caption=0.25,moderation=0.2,ocr_word=0.1,ocr_lines=0.45 (the default)")
    ap.add_argument("--init", help="start from these weights (checkpoint file, split directory or exported model "
                    "directory, e.g. ../models/glimpse-tiny) with a fresh optimizer, when OUT holds no checkpoint "
                    "yet: fine-tuning or continuing a finished run")
    ap.add_argument("--query-num", type=int, default=16)
    ap.add_argument("--freeze-vision", action="store_true", help="train the decoder only (vision weights fixed, no "
                    "auxiliary losses)")
    ap.add_argument("--vision-only", action="store_true", help="train the vision side only, on its auxiliary losses "
                    "(decoder fixed and not run)")
    ap.add_argument("--ctc-weight", type=float, default=0.1, help="weight of the OCR CTC loss on the resampler's "
                    "query outputs, relative to the other auxiliary losses (0.1 in the shipped runs)")
    ap.add_argument("--ctc-tied", action="store_true", help="score the OCR CTC loss against the decoder's own "
                    "character embeddings (cosine, TiedCtcHead) instead of a separate linear head")
    ap.add_argument("--data-version", type=int, choices=sorted(DATA_VERSIONS), help="synthetic data: 1 = "
                    "glimpse_train/data.py (the shipped 0.1.0-0.4.1 runs; retrain_shipped.sh replays them with it), 2 = "
                    "glimpse_train/varied.py (wider layouts, sizes, typefaces, degradations). Default: the resumed "
                    "checkpoint's, else 2")
    ap.add_argument("--data-mix", type=parse_data_mix, help="draw each batch from one data version, chosen by the "
                    "seed and the batch number with these weights, e.g. 1=0.5,2=0.5 (replaces --data-version)")
    ap.add_argument("--max-echo", type=int, default=1, help="up to this many optimizer steps per batch while the "
                    "loader has no fresh batch ready (data echoing; 1 = off, every batch once)")
    a = ap.parse_args()
    if a.freeze_vision and a.vision_only:
        ap.error("--freeze-vision and --vision-only exclude each other (one trains the decoder, the other the vision)")
    if a.data_version is not None and a.data_mix is not None:
        ap.error("--data-version and --data-mix exclude each other (--data-version N is --data-mix N=1)")
    data_mix = a.data_mix or ([(a.data_version, 1.0)] if a.data_version is not None else None)
    torch.set_num_threads(a.threads)
    dev = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if a.device == "auto" else a.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(a.out, exist_ok=True)
    tok = Tokenizer.load(a.tokenizer)
    cfg = Config(vocab=len(tok.vocab), query_num=a.query_num)
    torch.manual_seed(a.seed)
    model = GlimpseModel(cfg).to(dev)
    ctc_char_ids = torch.tensor(batching.ocr_char_token_ids(tok), device=dev) if a.ctc_tied else None
    trained = [(n, p) for n, p in model.named_parameters() if (not a.freeze_vision or n.startswith("decoder."))
               and not (a.vision_only and n.startswith("decoder."))]
    decay = [p for n, p in trained if p.dim() >= 2]
    no_decay = [p for n, p in trained if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98))
    step, batch_pos, minutes_before, images_before = 0, 0, 0.0, 0
    lines_from = a.lines_from if a.lines_from is not None else NEVER
    latest = os.path.join(a.out, "latest.pt")
    if os.path.exists(latest):
        ck = torch.load(latest, map_location=dev)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, minutes_before = ck["step"], ck.get("train_minutes", 0.0)
        batch_pos = ck.get("batches", step)         # differs from step only in runs with --max-echo
        images_before = ck.get("images", 0)
        lines_from = ck.get("lines_from", lines_from)
        # checkpoints from before version 2 trained on version 1, those from before --data-mix on one version
        resumed_mix = [tuple(x) for x in ck.get("data_mix") or [(ck.get("data_version", 1), 1.0)]]
        if data_mix is None:
            data_mix = resumed_mix
        elif data_mix != resumed_mix:
            print("note: the run so far used data %s, continuing with %s" % (format_data_mix(resumed_mix),
                                                                          format_data_mix(data_mix)), flush=True)
        print("resumed from step", step, "data", format_data_mix(data_mix), flush=True)
    elif a.init:
        init = checkpoint.with_query_num(checkpoint.load(a.init), cfg.query_num, a.seed)
        checkpoint.load_into(model, init)
        print("initialised from", a.init, "step", init["step"], flush=True)
    if data_mix is None:
        data_mix = [(2, 1.0)]
    budget_s = a.fit_minutes * 60 if a.fit_minutes else None
    if a.lines_from is None and lines_from == NEVER and a.word_phase == 0:
        lines_from = 0
    if budget_s is None and a.lines_from is None and lines_from == NEVER:
        lines_from = int(a.word_phase * a.steps)
    shared_lines_from = multiprocessing.Value("q", lines_from, lock=False)
    # prefetch_factor only with worker processes (torch 1.13 rejects any value without them)
    parallel = dict(num_workers=a.workers, worker_init_fn=_worker_init, prefetch_factor=4) if a.workers else {}
    loader = torch.utils.data.DataLoader(
        StepBatches(a.seed, a.batch, tok, cfg.query_num, shared_lines_from, a.mix, data_mix), batch_size=None,
        sampler=range(batch_pos, NEVER), **parallel)
    batches = Prefetcher(loader, depth=2)
    # batch indices the loader and the prefetcher may have handed out beyond the current one
    in_flight = a.workers * 4 + 1 + batches.depth + 1

    log_path = os.path.join(a.out, "train_log.csv")
    new_log = not os.path.exists(log_path)
    logf = open(log_path, "a", newline="")
    log = csv.writer(logf)
    if new_log:
        log.writerow(["step", "train_minutes", "lr", "loss_lm", "tok_acc", "loss_patch", "loss_ctc", "images_per_s",
                      "tasks", "loss_scene_patch", "scene_patch_acc", "loss_scene_ctc", "echo_frac", "wait_frac"])
    t0 = time.time()
    last_ck = time.time()
    agg, n_img, t_win = {}, 0, time.time()
    group_counts = {}
    total_images = 0

    def progress():
        if budget_s is not None:
            return (minutes_before * 60 + time.time() - t0) / budget_s
        return step / a.steps

    def checkpoint_now(final=False):
        mins = minutes_before + (time.time() - t0) / 60
        obj = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "config": cfg.to_dict(),
               "train_minutes": mins, "seed": a.seed, "batch": a.batch, "lr": a.lr,
               "total_steps": step if budget_s is not None else a.steps, "warmup": a.warmup,
               "lines_from": shared_lines_from.value, "device": str(dev),
               "images": images_before + total_images, "batches": batch_pos, "max_echo": a.max_echo,
               "schedule": "time-based, %.1f minutes" % a.fit_minutes if budget_s is not None else "step-based",
               "init": a.init and os.path.basename(os.path.normpath(a.init)), "mix": a.mix,
               "ctc_weight": a.ctc_weight, "ctc_tied": a.ctc_tied, "data_mix": data_mix,
               # one version, or None for a mix (readers of older checkpoints take a missing key as version 1)
               "data_version": data_mix[0][0] if len(data_mix) == 1 else None}
        checkpoint.save_atomic(obj, latest)
        if step % a.snapshot_every == 0 or final:
            checkpoint.save_atomic({k: v for k, v in obj.items() if k != "opt"},
                                   os.path.join(a.out, "model_step%06d.pt" % step))
        if a.split_out:
            checkpoint.save_split(obj, a.split_out)

    model.train()
    b, echo = batches.next(), 0
    wait_s, echoes = 0.0, 0
    while True:
        assert b["batch"] == batch_pos, (b["batch"], batch_pos)
        p = progress()
        if p >= 1.0 or (budget_s is None and step >= a.steps):
            break
        if budget_s is not None and shared_lines_from.value == NEVER and p >= a.word_phase:
            shared_lines_from.value = batch_pos + in_flight
            print("lines and pages join at batch", shared_lines_from.value, flush=True)
        g = b["group"]
        group_counts[g] = group_counts.get(g, 0) + 1
        lr = lr_at(step, p, a.lr, a.warmup)
        for pg in opt.param_groups:
            pg["lr"] = lr
        out = losses(model, to_device(b, dev), tok, cfg, a.freeze_vision, a.vision_only, ctc_char_ids)
        w = aux_weight(p)
        loss = out["lm"] + w * (out.get("patch", 0.0) + a.ctc_weight * out.get("ctc", 0.0) + out.get("scene_patch", 0.0)
                                + 0.5 * out.get("scene_ctc", 0.0))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        echoes += echo > 0
        if echo == 0:
            n_img += b["images"]
            total_images += b["images"]
        for k in ("lm", "tok_acc", "patch", "ctc", "scene_patch", "scene_patch_acc", "scene_ctc"):
            if k in out:
                v = out[k]
                agg.setdefault(k, []).append(v.detach() if torch.is_tensor(v) else torch.tensor(float(v)))
        if step % 50 == 0:
            dt = time.time() - t_win
            mean = {k: float(torch.stack([x.float().cpu() for x in v]).mean()) for k, v in agg.items()}
            tasks = "/".join("%s:%.2f" % (t, wt) for t, wt in task_mix(b["lines"], a.mix))
            log.writerow([step, "%.2f" % (minutes_before + (time.time() - t0) / 60), "%.2e" % lr,
                          "%.4f" % mean.get("lm", 0), "%.4f" % mean.get("tok_acc", 0),
                          "%.4f" % mean.get("patch", 0), "%.4f" % mean.get("ctc", 0), "%.1f" % (n_img / dt), tasks,
                          "%.4f" % mean.get("scene_patch", 0), "%.4f" % mean.get("scene_patch_acc", 0),
                          "%.4f" % mean.get("scene_ctc", 0), "%.2f" % (echoes / 50), "%.2f" % (wait_s / dt)])
            logf.flush()
            if step % 200 == 0:
                print(step, "p=%.2f" % p, group_counts, {k: round(v, 4) for k, v in mean.items()},
                      "img/s %.1f" % (n_img / dt), "echo %.2f" % (echoes / 50), "wait %.2f" % (wait_s / dt),
                      flush=True)
                group_counts.clear()
            agg, n_img, t_win, wait_s, echoes = {}, 0, time.time(), 0.0, 0
        if time.time() - last_ck > a.ckpt_min * 60 or step % a.snapshot_every == 0:
            checkpoint_now()
            last_ck = time.time()
        if (time.time() - t0) / 60 > a.minutes:
            break
        # Data echoing (Choi et al. 2019): while the loader has no fresh batch ready, take another step on the
        # current one (at most --max-echo steps per batch) instead of leaving the accelerator idle.
        nxt = batches.poll() if echo + 1 < a.max_echo else None
        if nxt is None and echo + 1 < a.max_echo:
            echo += 1
            continue
        if nxt is None:
            t_w = time.time()
            nxt = batches.next()
            wait_s += time.time() - t_w
        b, echo = nxt, 0
        batch_pos += 1
    checkpoint_now(final=True)
    print("done at step", step, "batch", batch_pos, "images", total_images, "minutes %.2f" % ((time.time() - t0) / 60),
          "lines from step", shared_lines_from.value, flush=True)


if __name__ == "__main__":
    main()
