#!/usr/bin/env bash
# Retrain the Make 24 models on CPU (2 cores, about 2.5 hours): training data from the TypeScript
# domain (train split only), the policy and the PRM side by side (one thread each), then the 4x
# policy, then ONNX export into models/make24-{policy,prm,policy-4x}.
# Usage: models/train/retrain_make24.sh   (needs /usr/bin/python3 with torch+onnx, and npm install done)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3
cd "$HERE"
mkdir -p runs
(cd "$ROOT" && node --import tsx models/train/make24_data.ts --policy 120000 --prm 120000 --seed 24)
$PY train_make24.py --kind policy --out runs/m24_policy --minutes 55 --eval_every 500 --seed 24 &
POLICY=$!
$PY train_make24.py --kind prm --out runs/m24_prm --minutes 45 --eval_every 500 --seed 24
# the 4x policy (8 layers, width 184: 3.3M parameters, 4.0x) takes the PRM's core once it is free
$PY train_make24.py --kind policy --out runs/m24_policy4x --n_layer 8 --n_embd 184 --n_head 4 --lr 1e-3 --minutes 45 --eval_every 500 --seed 25 &
BIG=$!
wait $POLICY
$PY export.py --ckpt runs/m24_policy/ckpt.pt --out ../make24-policy
$PY export.py --ckpt runs/m24_prm/ckpt.pt --out ../make24-prm --prm
wait $BIG
$PY export.py --ckpt runs/m24_policy4x/ckpt.pt --out ../make24-policy-4x
