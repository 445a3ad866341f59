#!/bin/bash
# Starts, or resumes, the CPU fine-tune of the shipped 0.4.1 weights on data version 2 (glimpse_train/varied.py)
# that is meant to become glimpse-tiny 0.5 (issue #22; docs/model.md, "Next model: in progress").
#
# usage: continue_v05.sh RUN_DIR [THREADS=1] [DATA_MIX]
# DATA_MIX (train.py --data-mix, e.g. 1=0.5,2=0.5; continue_v05_mixed.sh passes that one) draws each batch from data
# version 1 or 2 instead of version 2 alone; give the same value on every call for a RUN_DIR.
# RUN_DIR lies outside the repository. The first call initialises from ../models/glimpse-tiny; every later call with
# the same RUN_DIR resumes from RUN_DIR/latest.pt (written every 10 minutes and at every 1000th step, with
# model_stepNNNNNN.pt snapshots beside it). The schedule is step-based (20,000 steps of batch 16), so a resumed run
# draws the same batches and learning rates as an uninterrupted one. It runs in the background under nice 19 on one
# thread (a shared build machine); stop it with `kill PID` (RUN_DIR/train.pid) and call this script again to go on.
set -eu -o pipefail
RUN_DIR=$(realpath -m "${1:?usage: continue_v05.sh RUN_DIR [THREADS] [DATA_MIX]}")
THREADS=${2:-1}
DATA=(--data-version 2)
if [ -n "${3:-}" ]; then DATA=(--data-mix "$3"); fi
cd "$(dirname "$0")"
mkdir -p "$RUN_DIR"
if [ -f "$RUN_DIR/train.pid" ] && kill -0 "$(cat "$RUN_DIR/train.pid")" 2>/dev/null; then
  echo "already running: PID $(cat "$RUN_DIR/train.pid")"
  exit 0
fi
OMP_NUM_THREADS=$THREADS PYTHONUNBUFFERED=1 nohup nice -n 19 /usr/bin/python3 train.py \
  --tokenizer ../models/glimpse-tiny/tokenizer.json --init ../models/glimpse-tiny --out "$RUN_DIR" \
  "${DATA[@]}" --query-num 32 --ctc-weight 1.0 --steps 20000 --batch 16 --lr 1e-4 --warmup 100 \
  --word-phase 0 --seed 31 --mix caption=0.2,moderation=0.15,ocr_word=0.15,ocr_lines=0.5 \
  --threads "$THREADS" --ckpt-min 10 --snapshot-every 1000 >> "$RUN_DIR/train.out" 2>&1 &
echo $! > "$RUN_DIR/train.pid"
echo "PID $(cat "$RUN_DIR/train.pid"), log $RUN_DIR/train.out, $RUN_DIR/train_log.csv"
