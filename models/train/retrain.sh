#!/usr/bin/env bash
# Retrain both StepMath models end to end on CPU (about 75-90 minutes on 2 otherwise idle cores):
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

# Policy, phase 1: the first 400 steps of a 2600-step cosine schedule (the shipped run was cut
# there because the 2 cores were shared), phase 2: a fresh 1300-step cosine from those weights,
# phase 3: another 900-step cosine (lr 1.5e-3) from the phase-2 weights.
$PY train_policy.py --out runs/policy --max_steps 2600 --stop_at 400 --tokens_per_batch 4096 --eval_every 400 --seed 1234
cp runs/policy/ckpt.pt runs/policy/ckpt_phase1_step400.pt
stamp "policy phase 1"
$PY train_policy.py --out runs/policy --init runs/policy/ckpt_phase1_step400.pt --max_steps 1300 --warmup 50 --tokens_per_batch 4096 --eval_every 650 --seed 1235
cp runs/policy/ckpt.pt runs/policy/ckpt_phase2_step1300.pt
$PY train_policy.py --out runs/policy --init runs/policy/ckpt_phase2_step1300.pt --max_steps 900 --warmup 30 --lr 1.5e-3 --tokens_per_batch 4096 --eval_every 450 --seed 1236
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
