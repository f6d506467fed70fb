"""Train the PRM: policy backbone + per-token scalar head, soft BCE on the
score read at each step's terminating newline (not the newline after the problem).

  /usr/bin/python3 train_prm.py --policy runs/policy/ckpt.pt --out runs/prm --epochs 3
  /usr/bin/python3 train_prm.py --policy runs/policy/final.pt --out runs/prm_checker \
      --data data/prm_checker.jsonl --pairwise 1 --epochs 4

With --pairwise, a batch holds whole problems (every solution of each), and a logistic loss
asks each accepted step to outscore each rejected step that follows the same earlier steps:
BCE alone can be lowered by judging how hard the problem is, the pairwise term only by
judging the step.
The checkpoint kept is the epoch with the best held-out AUCs (checker + MC labels).
"""
import argparse
import json
import os
import random
import time

import torch
import torch.nn.functional as F

import data
from runlog import run_logger
import tokenizer as tok
from model import load_ckpt, save_ckpt


def encode_solution(problem, steps):
    """ids = <bos> problem \\n step1 \\n ... stepN \\n ; returns ids and the index of each
    step's terminating newline."""
    ids = [tok.BOS] + tok.encode(problem + "\n")
    ends = []
    for st in steps:
        ids += tok.encode(st + "\n")
        ends.append(len(ids) - 1)
    return ids, ends


def collate(items, block):
    L = min(block, max(len(it[0]) for it in items))
    x = torch.full((len(items), L), tok.PAD, dtype=torch.long)
    m = torch.zeros((len(items), L), dtype=torch.long)
    w = torch.zeros((len(items), L))
    y = torch.zeros((len(items), L))
    for b, (ids, ends, labels) in enumerate(items):
        ids = ids[:L]
        x[b, :len(ids)] = torch.tensor(ids)
        m[b, :len(ids)] = 1
        for e, lab in zip(ends, labels):
            if e < L:
                w[b, e] = 1.0
                y[b, e] = lab
    return x, m, y, w


@torch.no_grad()
def score_solutions(model, sols, batch_size=64):
    """Per-step PRM scores (sigmoid) for a list of {problem, steps}."""
    model.eval()
    enc = [encode_solution(s["problem"], s["steps"]) for s in sols]
    order = sorted(range(len(enc)), key=lambda i: len(enc[i][0]))
    out = [None] * len(enc)
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        x, m, _, _ = collate([(enc[i][0], enc[i][1], [0] * len(enc[i][1])) for i in idx],
                             model.cfg.block_size)
        p = torch.sigmoid(model.hidden_scores_logit(x, m))
        for b, i in enumerate(idx):
            out[i] = [float(p[b, e]) if e < x.shape[1] else 0.0 for e in enc[i][1]]
    return out


def auc(scores, labels):
    """ROC AUC via the rank statistic (ties counted half)."""
    pairs = sorted(zip(scores, labels))
    n_pos = sum(1 for _, l in pairs if l)
    n_neg = len(pairs) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2.0
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def heldout_auc(model, held):
    sc = score_solutions(model, held)
    s_all, l_soft, l_check = [], [], []
    for s, p in zip(held, sc):
        s_all += p
        l_soft += [lab >= 0.5 for lab in s["labels"][:len(p)]]
        l_check += data.accepted_so_far(s["valid"])[:len(p)]
    return auc(s_all, l_soft), auc(s_all, l_check), len(s_all)


def length_batches(items, batch_size, rng):
    """Shuffled batches of similar length (less padding)."""
    order = list(range(len(items)))
    rng.shuffle(order)
    chunks = [sorted(order[i:i + 1024], key=lambda j: len(items[j][0])) for i in range(0, len(order), 1024)]
    batches = [c[i:i + batch_size] for c in chunks for i in range(0, len(c), batch_size)]
    rng.shuffle(batches)
    return batches


def problem_batches(by_problem, batch_size, rng):
    """Shuffled batches of whole problems: about batch_size solutions, every solution of a problem together."""
    groups = list(by_problem.values())
    rng.shuffle(groups)
    batches, cur = [], []
    for g in groups:
        cur += g
        if len(cur) >= batch_size:
            batches.append(cur)
            cur = []
    if cur:
        batches.append(cur)
    return batches


def same_prefix_pair_loss(logit, y, w, solutions):
    """Mean softplus(rejected - accepted) over step pairs of one problem that follow the same
    earlier steps, one accepted and one rejected: only judging the step itself lowers it
    (pairs across different prefixes or step numbers can be ranked by length or position)."""
    total, count = logit.new_zeros(()), 0
    ends = {}
    for b, s in enumerate(solutions):
        pos = torch.nonzero(w[b] > 0).squeeze(-1).tolist()
        for i, e in enumerate(pos):
            key = (s["problem"], tuple(s["steps"][:i]))
            ends.setdefault(key, []).append((b, e, y[b, e].item() >= 0.5))
    for group in ends.values():
        pos = [(b, e) for b, e, ok in group if ok]
        neg = [(b, e) for b, e, ok in group if not ok]
        if pos and neg:
            zp = torch.stack([logit[b, e] for b, e in pos])
            zn = torch.stack([logit[b, e] for b, e in neg])
            total = total + F.softplus(zn[None, :] - zp[:, None]).sum()
            count += len(pos) * len(neg)
    return total / max(count, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", default="runs/policy/ckpt.pt")
    ap.add_argument("--out", default="runs/prm")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch_size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.path.join(data.DATA, "prm_train.jsonl"), help="labelled solutions (prm_data.py or prm_checker_data.py)")
    ap.add_argument("--extra", default=None, help="more labelled solutions (e.g. data/prm_corrupted.jsonl from corrupt_gold.py)")
    ap.add_argument("--pairwise", type=float, default=0.0, help="weight of the same-prefix pairwise loss (0: BCE only)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    P = run_logger(os.path.join(args.out, "log.txt"))

    train = data.load_jsonl(args.data)
    if args.extra:
        train += data.load_jsonl(args.extra)
    held = data.load_jsonl(os.path.join(data.DATA, "prm_heldout.jsonl"))
    items = [encode_solution(s["problem"], s["steps"]) + (s["labels"],) for s in train]
    by_problem = {}
    for i, s in enumerate(train):
        by_problem.setdefault(s["problem"], []).append(i)
    model, _ = load_ckpt(args.policy, prm=True)
    torch.nn.init.zeros_(model.score_head.weight)
    pos_frac = sum(l for s in train for l in s["labels"]) / sum(len(s["labels"]) for s in train)
    P(f"PRM train: {len(items)} solutions, mean label {pos_frac:.3f}; held-out {len(held)}; "
      f"params {model.num_params()}; {json.dumps(vars(args))}")
    a0 = heldout_auc(model, held)
    P(f"init held-out AUC(soft>=0.5) {a0[0]:.3f} AUC(checker) {a0[1]:.3f} on {a0[2]} steps")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_total = args.epochs * len(problem_batches(by_problem, args.batch_size, random.Random(0)) if args.pairwise
                                    else length_batches(items, args.batch_size, random.Random(0)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 50) * max(0.05, 1 - s / steps_total))
    t0, step, best = time.time(), 0, None
    for ep in range(args.epochs):
        batches = problem_batches(by_problem, args.batch_size, rng) if args.pairwise else \
            length_batches(items, args.batch_size, rng)
        for bidx in batches:
            model.train()
            x, m, y, w = collate([items[i] for i in bidx], model.cfg.block_size)
            logit = model.hidden_scores_logit(x, m)
            loss = (F.binary_cross_entropy_with_logits(logit, y, reduction="none") * w).sum() / w.sum()
            if args.pairwise:
                loss = loss + args.pairwise * same_prefix_pair_loss(logit, y, w, [train[i] for i in bidx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 25 == 0:
                P(f"ep {ep} step {step}/{steps_total} loss {loss.item():.4f} {time.time() - t0:.0f}s")
        a = heldout_auc(model, held)
        P(f"epoch {ep} held-out AUC(soft>=0.5) {a[0]:.3f} AUC(checker) {a[1]:.3f} {time.time() - t0:.0f}s")
        # keep the best epoch on the held-out split (later epochs overfit a few thousand steps)
        if best is not None and a[0] + a[1] <= best:
            continue
        best = a[0] + a[1]
        P(f"  kept epoch {ep}")
        save_ckpt(os.path.join(args.out, "ckpt.pt"), model,
                  {"epoch": ep, "auc_soft": a[0], "auc_checker": a[1], "args": vars(args),
                   "train_seconds": time.time() - t0})
    P(f"done wall {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
