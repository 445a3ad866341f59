#!/bin/bash
# continue_v05.sh with half of the batches from data version 1 (the data 0.4.1 was trained on) and half from
# version 2, chosen per batch by the seed and the step (train.py --data-mix), so that reading is kept while the
# version 2 ranges are learnt (docs/model.md, "Next model: in progress"). Starts, or resumes, the run in RUN_DIR.
#
# usage: continue_v05_mixed.sh RUN_DIR [THREADS=1]
set -eu -o pipefail
exec "$(dirname "$0")/continue_v05.sh" "${1:?usage: continue_v05_mixed.sh RUN_DIR [THREADS]}" "${2:-1}" 1=0.5,2=0.5
