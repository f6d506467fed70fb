"""Writes a large model of the bundled policy's architecture with random weights, for the scaling
table of bench/throughput.ts (--scaling): speed does not depend on what the weights learned.

  /usr/bin/python3 bench/assets/make_scaling_model.py [--n_layer 8] [--n_embd 512] [--n_head 8] [--out bench/.models/gpt-25m]

The folder gets both forms, as the bundled ones have them: onnx/model.onnx (optimum layout, which
transformers.js and the bare loop run) from models/train/export.py, and onnx/model_inplace.onnx from
models/train/export_inplace.py with the same weights; the tokenizer is stepmath-policy's.
"""
import argparse
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "models", "train"))

import torch  # noqa: E402

import tokenizer as tok  # noqa: E402
from export import export_onnx, write_config  # noqa: E402
from export_inplace import build_inplace  # noqa: E402
from model import GPT, GPTConfig  # noqa: E402
import onnx  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--n_layer", type=int, default=8)
ap.add_argument("--n_embd", type=int, default=512)
ap.add_argument("--n_head", type=int, default=8)
ap.add_argument("--out", default=os.path.join(ROOT, "bench", ".models", "gpt-25m"))
args = ap.parse_args()
torch.manual_seed(0)
model = GPT(GPTConfig(vocab_size=tok.VOCAB_SIZE, block_size=384, n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd, rope=True))
os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
export_onnx(model, os.path.join(args.out, "onnx", "model.onnx"))
write_config(model, args.out)
for f in ("tokenizer.json", "tokenizer_config.json"):
    shutil.copy(os.path.join(ROOT, "models", "stepmath-policy", f), os.path.join(args.out, f))
sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
onnx.save(build_inplace(sd, args.n_layer, args.n_head, 384, prm=False), os.path.join(args.out, "onnx", "model_inplace.onnx"))
print(f"{args.out}: {model.num_params()} parameters")
