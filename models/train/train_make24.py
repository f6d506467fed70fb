"""Make 24 models: the policy (SFT on solver solutions) and the PRM (per-step "the target is still
reachable" labels from the solver), both trained from scratch on make24_data.ts's train-split data.

  node --import tsx make24_data.ts
  /usr/bin/python3 train_make24.py --kind policy --out runs/m24_policy --minutes 40
  /usr/bin/python3 train_make24.py --kind prm --out runs/m24_prm --minutes 40

Time-boxed: a cosine schedule over --minutes of wall clock (the step budget is set from the speed of
the first 20 steps), validation every --eval_every steps, the best validation checkpoint kept.
Validation uses 5 % of the train-split puzzles; the test split is never read.
"""
import argparse
import json
import math
import os
import random
import time
from fractions import Fraction

import torch
import torch.nn.functional as F

import tokenizer as tok
from model import GPT, GPTConfig, save_ckpt
from runlog import run_logger
from sample import generate
from train_prm import auc, collate as prm_collate, encode_solution

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def read_jsonl(name):
    with open(os.path.join(DATA, name)) as f:
        return [json.loads(line) for line in f]


def policy_batch(rows, idx):
    seqs = [tok.sequence_ids(rows[i]["problem"], rows[i]["solution"]) for i in idx]
    L = max(len(s) for s in seqs)
    x = torch.full((len(idx), L - 1), tok.PAD, dtype=torch.long)
    y = torch.full((len(idx), L - 1), -100, dtype=torch.long)
    for b, (s, i) in enumerate(zip(seqs, idx)):
        t = torch.tensor(s)
        x[b, :len(s) - 1] = t[:-1]
        tgt = t[1:].clone()
        tgt[:len(rows[i]["problem"]) + 1] = -100  # no loss on the problem text
        y[b, :len(s) - 1] = tgt
    return x, y


def solved(problem_row, text):
    """Monitoring only (the product's checker is the TypeScript one): the answer line uses each
    given number once and evaluates to the target."""
    for line in text.split("\n"):
        if line.startswith("Answer:"):
            expr = line[len("Answer:"):].split("=")[0]
            nums = sorted(int(t) for t in "".join(c if c.isdigit() else " " for c in expr).split())
            if nums != sorted(problem_row["numbers"]) or not set(expr) <= set("0123456789+-*/() "):
                return False
            try:
                val = eval("".join(f"Fraction({t})" if t.isdigit() else t for t in tokenize(expr)))
            except (ZeroDivisionError, SyntaxError, TypeError):
                return False  # unbalanced or malformed: not a solution
            return val == problem_row["target"]
    return False


def tokenize(expr):
    out, num = [], ""
    for c in expr:
        if c.isdigit():
            num += c
            continue
        if num:
            out.append(num)
            num = ""
        if c != " ":
            out.append(c)
    return out + ([num] if num else [])


@torch.no_grad()
def within_node_auc(model, nodes):
    """Mean over nodes of the AUC of the PRM's scores over a node's children (reachable vs dead end), per depth."""
    model.eval()
    by_depth = {}
    for s in range(0, len(nodes), 16):
        chunk = nodes[s:s + 16]
        items, spans = [], []
        for n in chunk:
            start = len(items)
            for c in n["children"]:
                ids, ends = encode_solution(n["problem"], n["prefix"] + [c["step"]])
                items.append((ids, ends[-1:], [c["label"]]))
            spans.append((start, len(items)))
        x, m, _, w = prm_collate(items, model.cfg.block_size)
        p = torch.sigmoid(model.hidden_scores_logit(x, m))
        scores = (p * w).sum(1).tolist()
        for n, (a, b) in zip(chunk, spans):
            by_depth.setdefault(n["depth"], []).append(auc(scores[a:b], [c["label"] for c in n["children"]]))
    model.train()
    return {d: sum(v) / len(v) for d, v in sorted(by_depth.items())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["policy", "prm"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n_layer", type=int, default=4)
    ap.add_argument("--n_embd", type=int, default=128)
    ap.add_argument("--n_head", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min_lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--steps", type=int, default=0, help="the schedule's length in steps (0: as many as --minutes allows at the measured speed)")
    ap.add_argument("--eval_every", type=int, default=500)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (the PRM from the policy)")
    ap.add_argument("--resume", default=None, help="go on from a resume checkpoint (fp16 weights, step, tokens) written by an earlier run with the same --steps and --seed; Adam's moments restart, so the learning rate warms up again over --warmup steps")
    ap.add_argument("--data", default="make24_policy.jsonl", help="policy: the training rows' file in data/ (the 4x policy reads a larger set)")
    ap.add_argument("--aux_lm", type=float, default=0.0, help="PRM: weight of a next-token loss on the same sequences (dense signal beside the sparse step labels)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = run_logger(os.path.join(args.out, "log.txt"))
    prm = args.kind == "prm"
    cfg = GPTConfig(vocab_size=tok.VOCAB_SIZE, block_size=256, n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd, rope=True, prm=prm)
    model = GPT(cfg)
    start = {"step": 0, "tokens": 0, "best": -1.0}
    if args.resume:
        ck = torch.load(args.resume, map_location="cpu")
        model.load_state_dict({k: v.float() for k, v in ck["state"].items()})
        start = ck["extra"]
        rng.seed(args.seed + start["step"])  # a fresh, fixed data order from here
    if args.init:
        missing, unexpected = model.load_state_dict(torch.load(args.init, map_location="cpu")["state"], strict=False)
        assert not unexpected and all(k.startswith("score_head") for k in missing), (missing, unexpected)
    log(f"{args.kind}: {model.num_params()} parameters, {vars(args)}")
    if prm:
        rows = read_jsonl("make24_prm.jsonl")
        items = []
        for r in rows:
            ids, ends = encode_solution(r["problem"], r["steps"])
            items.append((ids, ends, r["labels"]))
        val = read_jsonl("make24_val_nodes.jsonl")
        val = random.Random(0).sample(val, min(len(val), 360))  # a fixed subset: validation stays quick
    else:
        rows = read_jsonl(args.data)
        val = read_jsonl("make24_val_policy.jsonl")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98))
    order = []
    t0 = time.time()
    max_steps = args.steps if args.resume and args.steps else None
    best = start["best"]
    step = start["step"]
    resumed_at = step
    tokens = start["tokens"]
    while True:
        if not order:
            order = list(range(len(rows)))
            rng.shuffle(order)
        idx, order = order[:args.batch], order[args.batch:]
        if step == 20 and args.steps:
            max_steps = args.steps
        elif step == 20:  # fix the schedule's length from the measured speed
            per_step = (time.time() - t0) / 20
            max_steps = max(200, int(args.minutes * 60 / per_step))
            log(f"{per_step * 1000:.0f} ms/step -> {max_steps} steps in {args.minutes} min")
        total = max_steps or 10 ** 9
        lr = args.lr * (step + 1) / args.warmup if step < args.warmup else \
            args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * min(1.0, (step - args.warmup) / max(1, total - args.warmup))))
        if step - resumed_at < args.warmup and resumed_at:  # Adam restarted: warm up to the schedule again
            lr *= (step - resumed_at + 1) / args.warmup
        for g in opt.param_groups:
            g["lr"] = lr
        if prm:
            x, m, y, w = prm_collate([items[i] for i in idx], cfg.block_size)
            hidden = model._trunk(x, m)
            logit = model.score_head(hidden).squeeze(-1)
            loss = (F.binary_cross_entropy_with_logits(logit, y, reduction="none") * w).sum() / w.sum()
            if args.aux_lm:
                # next-token loss on the real tokens: teaches the moves and the numbers left densely
                logits = hidden[:, :-1] @ model.wte.weight.t()
                target = torch.where(m[:, 1:] > 0, x[:, 1:], torch.full_like(x[:, 1:], -100))
                loss = loss + args.aux_lm * F.cross_entropy(logits.reshape(-1, cfg.vocab_size), target.reshape(-1), ignore_index=-100)
            tokens += int(m.sum())
        else:
            x, y = policy_batch(rows, idx)
            loss = F.cross_entropy(model.train_logits(x).reshape(-1, cfg.vocab_size), y.reshape(-1), ignore_index=-100)
            tokens += int((x != tok.PAD).sum())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        done = max_steps is not None and step >= max_steps
        if step % 100 == 0:
            log(f"step {step} loss {loss.item():.4f} lr {lr:.2e} tokens {tokens} {time.time() - t0:.0f}s")
        if step % args.eval_every == 0 or done:
            if prm:
                per_depth = within_node_auc(model, val)
                metric = sum(per_depth.values()) / len(per_depth)
                log(f"step {step} within-node AUC by depth {json.dumps({k: round(v, 3) for k, v in per_depth.items()})} mean {metric:.3f}")
            else:
                outs = generate(model, [tok.prompt_ids(r["problem"]) for r in val], max_new=140, temperature=0.0)
                metric = sum(solved(r, o) for r, o in zip(val, outs)) / len(val)
                log(f"step {step} greedy solved {metric:.3f} of {len(val)} validation puzzles")
                model.train()
            extra = {"step": step, "tokens": tokens, "minutes": round((time.time() - t0) / 60, 1), "val": metric, "seed": args.seed}
            save_ckpt(os.path.join(args.out, "last.pt"), model, extra)
            # Small enough to commit when a run outlasts a session: fp16 weights and where it stood.
            torch.save({"state": {k: v.half() for k, v in model.state_dict().items()}, "extra": {"step": step, "tokens": tokens, "best": max(best, metric)}}, os.path.join(args.out, "resume.pt"))
            if metric >= best:
                best = metric
                save_ckpt(os.path.join(args.out, "ckpt.pt"), model, extra)
        if done:
            break
    log(f"done: {step} steps, {tokens} tokens, best validation {best:.3f}")


if __name__ == "__main__":
    main()
