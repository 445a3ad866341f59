#!/bin/bash
# Retrains the shipped glimpse-tiny from scratch on a CUDA GPU: the four runs that model.json's training section
# records, one after the other, ~40 minutes in all: 12 minutes from random weights (16 resampler queries); 11 minutes
# from those weights with batch 128 and data echoing (0.3.0); then those weights widened to 32 queries and trained
# 11.8 minutes on an OCR-heavy mix with a strong CTC read-out loss (0.4.0), as an 8.5-minute slot extended to 11.8
# minutes on resume, the way it ran; then 2,794 small steps at a low learning rate on the same mix (0.4.1: a
# 50-minute CPU run, replayed here step-based on the same device as the rest). GPU training is not bit-reproducible;
# the data and schedules are. Then, back on a CPU machine, evaluate and export OUT_DIR/stage4/weights as README.md
# shows. Every stage trains on data version 1 (glimpse_train/data.py, --data-version 1), the data they were
# trained on; train.py's default for new runs is version 2 (glimpse_train/varied.py).
#
# usage: retrain_shipped.sh OUT_DIR [SCALE=1]
# SCALE multiplies the slots and the last stage's steps (e.g. 0.01 with GLIMPSE_TRAIN_DEVICE=cpu: a smoke test of the
# chain, not a model).
set -eu -o pipefail
OUT_DIR=$(realpath -m "$1")
SCALE=${2:-1}
cd "$(dirname "$0")"
minutes() { python3 -c "print(round($1 * $SCALE, 3))"; }
steps() { python3 -c "print(max(1, round($1 * $SCALE)))"; }
GLIMPSE_RUN_DIR="$OUT_DIR/run1" ./gpu_train.sh "$OUT_DIR/stage1" "$(minutes 12)" "" --data-version 1
GLIMPSE_RUN_DIR="$OUT_DIR/run2" ./gpu_train.sh "$OUT_DIR/stage2" "$(minutes 11)" "$OUT_DIR/stage1/weights" \
  --data-version 1 --batch 128 --lr 1.5e-3 --warmup 200 --word-phase 0 --max-echo 3 --seed 19 \
  --mix caption=0.35,moderation=0.3,ocr_word=0.1,ocr_lines=0.25
STAGE3=(--data-version 1 --query-num 32 --ctc-weight 1.0 --batch 128 --word-phase 0 --seed 20 --max-echo 2
        --mix caption=0.15,moderation=0.15,ocr_word=0.2,ocr_lines=0.5)
for slot in 8.5 11.8; do     # the second call resumes OUT_DIR/run3/latest.pt and stretches the schedule to 11.8
  GLIMPSE_RUN_DIR="$OUT_DIR/run3" ./gpu_train.sh "$OUT_DIR/stage3" "$(minutes $slot)" "$OUT_DIR/stage2/weights" \
    "${STAGE3[@]}"
done
WORKERS=$(( $(nproc) > 3 ? $(nproc) - 2 : 1 ))
mkdir -p "$OUT_DIR/stage4"
PYTHONUNBUFFERED=1 python3 train.py --tokenizer ../models/glimpse-tiny/tokenizer.json --out "$OUT_DIR/run4" \
  --device "${GLIMPSE_TRAIN_DEVICE:-cuda}" --init "$OUT_DIR/stage3/weights" --steps "$(steps 2794)" --workers "$WORKERS" \
  --split-out "$OUT_DIR/stage4/weights" --lr 1e-4 --warmup 50 "${STAGE3[@]}" --batch 16 --seed 22 --max-echo 1 \
  2>&1 | tee "$OUT_DIR/stage4/train.out"
cp "$OUT_DIR/run4/train_log.csv" "$OUT_DIR/stage4/"
echo "weights: $OUT_DIR/stage4/weights"
