#!/usr/bin/env bash
# Retrain both StepMath models end to end on CPU (about 60-70 minutes on 2 cores):
#   policy SFT -> policy eval (samples cached) -> PRM data (policy samples, checker + MC
#   rollouts) -> PRM training -> PRM eval -> ONNX export + parity fixtures -> parity test.
# Usage: models/train/retrain.sh          (from anywhere; needs /usr/bin/python3 with torch+onnx)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3
cd "$HERE"
[ -f "$ROOT/dist/cli.js" ] || (cd "$ROOT" && npm run build)
rm -rf runs data
mkdir -p runs
t0=$(date +%s)
stamp() { echo "[retrain] $1 at +$(( $(date +%s) - t0 ))s" | tee -a runs/retrain_times.txt; }

# Policy: rotary positions and random 32-sequence batches, one 1600-step cosine schedule on one
# thread (~45 min; the shipped run shared the machine). copy_probe.py tells whether the copy
# mechanism formed (it did between steps 400 and 800 in the shipped run).
$PY train_policy.py --out runs/policy --rope --max_steps 1600 --batch_seqs 32 --eval_every 400 --seed 1235 --threads 1 --deadline_min 50
$PY copy_probe.py runs/policy/ckpt.pt | tee runs/copy_probe.txt
stamp "policy trained"
$PY evaluate.py --policy runs/policy/ckpt.pt | tee runs/eval_policy.md
stamp "policy evaluated"
$PY prm_data.py --policy runs/policy/ckpt.pt --per_ops 15,25,30,40,40,40 --heldout_per_ops 20 --samples 4 --k 4 --seed 4321
stamp "PRM data built"
$PY train_prm.py --policy runs/policy/ckpt.pt --out runs/prm --epochs 3 --seed 99
stamp "PRM trained"
$PY evaluate.py --policy runs/policy/ckpt.pt --prm runs/prm/ckpt.pt | tee runs/eval_prm.md
stamp "PRM evaluated"
$PY export.py --ckpt runs/policy/ckpt.pt --out ../stepmath-policy --parity "$ROOT/test/fixtures/parity-policy.json" --eval runs/eval.json
$PY export.py --ckpt runs/prm/ckpt.pt --out ../stepmath-prm --prm --parity "$ROOT/test/fixtures/parity-prm.json" --eval runs/eval.json
stamp "exported"
(cd "$ROOT" && node --import tsx --test test/unit/model-parity.test.ts)
stamp "done"
