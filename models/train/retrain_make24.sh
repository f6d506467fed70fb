#!/usr/bin/env bash
# Retrain the Make 24 models on CPU (2 cores, about 2 hours), as the bundled ones were trained:
# training data from the TypeScript domain (train split only); the policy and the PRM side by side
# (one thread each; the PRM starts from the policy's step-500 checkpoint); a second phase of each;
# ONNX export into models/make24-{policy,prm}. (The 4x policy of the report trains for hours: models/train/README.md.)
# Usage: models/train/retrain_make24.sh   (needs /usr/bin/python3 with torch+onnx, and npm install done)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3
cd "$HERE"
mkdir -p runs
(cd "$ROOT" && node --import tsx models/train/make24_data.ts --policy 120000 --prm 120000 --seed 24)
$PY train_make24.py --kind policy --out runs/m24_policy --steps 2400 --eval_every 500 --seed 24 &
POLICY=$!
until [ -f runs/m24_policy/ckpt.pt ]; do sleep 10; done  # written at step 500
cp runs/m24_policy/ckpt.pt runs/m24_policy_step500.pt
$PY train_make24.py --kind prm --out runs/m24_prm --steps 2820 --eval_every 500 --init runs/m24_policy_step500.pt --aux_lm 1.0 --lr 1e-3 --seed 24 &
PRM=$!
wait $POLICY
cp runs/m24_policy/ckpt.pt runs/m24_policy_phase1.pt
$PY train_make24.py --kind policy --out runs/m24_policy2 --steps 1363 --eval_every 500 --init runs/m24_policy_phase1.pt --lr 1e-3 --warmup 50 --seed 26 &
POLICY=$!
wait $PRM
# PRM phase 2: a fresh schedule from phase 1's best (the within-node AUC was still rising at its end)
cp runs/m24_prm/ckpt.pt runs/m24_prm_phase1.pt
$PY train_make24.py --kind prm --out runs/m24_prm2 --steps 3600 --eval_every 600 --init runs/m24_prm_phase1.pt --aux_lm 1.0 --lr 5e-4 --seed 27
wait $POLICY
$PY export.py --ckpt runs/m24_policy2/ckpt.pt --out ../make24-policy
$PY export.py --ckpt runs/m24_prm2/ckpt.pt --out ../make24-prm --prm
# the in-place form of each (same weights; what the engine loads)
for m in make24-policy make24-prm; do $PY export_inplace.py --folder ../$m; done
