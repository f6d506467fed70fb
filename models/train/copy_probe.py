"""What has a policy checkpoint learned? Teacher-forced loss per character on two kinds of digits:
- answer copy: the digits of the final `Answer: v` line, which only repeat the number that ends
  the line above it (~ln 10 = 2.3: no copying; near 0: the copy mechanism formed);
- result digits: the digits of c in every `a op b = c` step, i.e. the arithmetic itself
  (~2.3: no arithmetic learned; this must fall before greedy accuracy can rise).

  /usr/bin/python3 copy_probe.py runs/policy/ckpt.pt [other.pt ...]
"""
import re
import sys

import torch
import torch.nn.functional as F

import data
import tokenizer as tok
from model import load_ckpt

ARITHMETIC_STEP = re.compile(r"^\d+ [-+*/] \d+ = (\d+)$")


def probe_losses(model, rows):
    """(answer-copy loss, result-digit loss), each per character."""
    was_training = model.training
    model.eval()
    copy_total, copy_chars, result_total, result_chars = 0.0, 0, 0.0, 0
    for r in rows:
        ids = tok.sequence_ids(r["problem"], r["solution"])
        with torch.no_grad():
            logits = model.train_logits(torch.tensor([ids[:-1]]))[0]
        losses = F.cross_entropy(logits, torch.tensor(ids[1:]), reduction="none")
        # losses[t] is the loss of predicting ids[t + 1]; sequence = <bos> problem \n solution \n <eos>
        offset = 1 + len(r["problem"]) + 1  # index of the solution's first character in ids
        lines = r["solution"].split("\n")
        for line in lines[:-1]:
            m = ARITHMETIC_STEP.match(line)
            if m:
                first = offset + m.start(1)
                result_total += losses[first - 1:first - 1 + len(m.group(1))].sum().item()
                result_chars += len(m.group(1))
            offset += len(line) + 1
        k = len(lines[-1]) - len("Answer: ")
        first = offset + len("Answer: ")
        copy_total += losses[first - 1:first - 1 + k].sum().item()
        copy_chars += k
    model.train(was_training)
    return copy_total / max(1, copy_chars), result_total / max(1, result_chars)


def probe_rows():
    return [r for k in (1, 2, 3, 4) for r in data.eval_set(k, n=20, seed=7)]


def main():
    torch.set_num_threads(1)
    rows = probe_rows()
    for path in sys.argv[1:]:
        model, extra = load_ckpt(path)
        copy_loss, result_loss = probe_losses(model, rows)
        print(f"{path}: step {extra.get('step')}, answer-copy loss {copy_loss:.3f}, "
              f"result-digit loss {result_loss:.3f} per char (ln 10 = 2.303: nothing learned)")


if __name__ == "__main__":
    main()
