#!/bin/bash
# Trains the bundled model on a CUDA GPU for a fixed time slot (time-based schedule, train.py --fit-minutes)
# and writes what must come back to OUT_DIR: the weights as parts below 12 MB (rewritten every 2 minutes, so a
# run cut short still returns its last checkpoint), the training log and the console output.
#
# usage: gpu_train.sh OUT_DIR [MINUTES=8.5] [INIT] [train.py options...]
# INIT (e.g. ../models/glimpse-tiny) continues from those weights with a fresh optimizer instead of from scratch
# ("" for none); options after it override the defaults below (argparse keeps the last value), e.g. --batch 128.
# Rerunning the same command on the same machine resumes from ${GLIMPSE_RUN_DIR:-/tmp/glimpse-run}/latest.pt (a slot
# split across calls); a different GLIMPSE_RUN_DIR starts a separate run.
# Needs PyTorch with CUDA, Pillow and NumPy; fonts from the Debian packages or GLIMPSE_FONT_DIR: DejaVuSans.ttf for
# data version 1, the .ttf files of glimpse_train/varied.py's TRAIN_FONTS and SYMBOL_FONTS for version 2 (the default).
# Back on the CPU machine, OUT_DIR/weights loads like a checkpoint file: evaluate.py / export_model.py --ckpt OUT_DIR/weights
set -u -o pipefail
OUT_DIR=$1
MINUTES=${2:-8.5}
INIT=()
[ -n "${3:-}" ] && INIT=(--init "$3")
shift $(( $# < 3 ? $# : 3 ))
cd "$(dirname "$0")"
mkdir -p "$OUT_DIR"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "cpus $(nproc); /dev/shm $(df -h /dev/shm | tail -1 | awk '{print $2}')"
DEVICE=${GLIMPSE_TRAIN_DEVICE:-cuda}      # cpu: a smoke test of this script on a machine without a GPU
python3 -c "import torch, PIL, numpy; assert '$DEVICE' != 'cuda' or torch.cuda.is_available(); print('torch', torch.__version__, 'PIL', PIL.__version__, 'numpy', numpy.__version__)" || exit 3
WORKERS=$(( $(nproc) > 3 ? $(nproc) - 2 : 1 ))
RUN_DIR=${GLIMPSE_RUN_DIR:-/tmp/glimpse-run}
PYTHONUNBUFFERED=1 python3 train.py --tokenizer ../models/glimpse-tiny/tokenizer.json --out "$RUN_DIR" \
  --device "$DEVICE" --fit-minutes "$MINUTES" --batch 64 --warmup 300 --lr 2e-3 --workers "$WORKERS" --ckpt-min 2 \
  --split-out "$OUT_DIR/weights" "${INIT[@]}" "$@" 2>&1 | tee "$OUT_DIR/train.out"
rc=$?
cp "$RUN_DIR/train_log.csv" "$OUT_DIR/"
exit $rc
