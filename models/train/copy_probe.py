"""Has a policy checkpoint learned to copy? Teacher-forced loss per character on the
digits of the final `Answer: v` line, which only repeats the number that ends the line
above it: ~ln 10 = 2.3 means no copying at all, near 0 means the copy mechanism formed.
Greedy accuracy cannot rise before this falls (every solution step copies operands).

  /usr/bin/python3 copy_probe.py runs/policy/ckpt.pt [other.pt ...]
"""
import sys

import torch
import torch.nn.functional as F

import data
import tokenizer as tok
from model import load_ckpt


def answer_copy_loss(model, rows):
    total, chars = 0.0, 0
    for r in rows:
        ids = tok.sequence_ids(r["problem"], r["solution"])
        k = len(r["solution"].split("\n")[-1]) - len("Answer: ")
        with torch.no_grad():
            logits = model.train_logits(torch.tensor([ids[:-1]]))[0]
        losses = F.cross_entropy(logits, torch.tensor(ids[1:]), reduction="none")
        # the answer's k characters are ids[-2-k:-2]; target index t predicts ids[t+1]
        total += losses[len(ids) - 3 - k:len(ids) - 3].sum().item()
        chars += k
    return total / chars


def main():
    torch.set_num_threads(1)
    rows = data.eval_set(1, n=40, seed=7) + data.eval_set(2, n=40, seed=7)
    for path in sys.argv[1:]:
        model, extra = load_ckpt(path)
        model.eval()
        print(f"{path}: step {extra.get('step')}, answer-copy loss {answer_copy_loss(model, rows):.3f} per char "
              f"(ln 10 = 2.303: no copying)")


if __name__ == "__main__":
    main()
