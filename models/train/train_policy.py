"""Supervised training of the StepMath policy on gold solutions (loss on the
solution tokens only: everything after the problem's newline, <eos> included).

  /usr/bin/python3 train_policy.py --out runs/policy --rope --max_steps 1600 --batch_seqs 32
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

import data
from runlog import run_logger
import tokenizer as tok
from model import GPT, GPTConfig, save_ckpt
from sample import generate
from copy_probe import probe_losses, probe_rows


def build_examples(rows):
    ex = []
    for r in rows:
        ids = tok.sequence_ids(r["problem"], r["solution"])
        start = 1 + len(r["problem"]) + 1  # first solution token index
        ex.append((ids, start))
    return ex


def batches(examples, batch_seqs, rng):
    """Random batches of batch_seqs sequences; only neighbours within a random window of four
    batches are sorted by length, to pad less. (Full length bucketing made every batch one
    length and nearly one template; the copy mechanism did not form in 1,000 steps that way,
    and did within 800 with random batches.)"""
    idx = list(range(len(examples)))
    rng.shuffle(idx)
    out = []
    window = 4 * batch_seqs
    for s in range(0, len(idx), window):
        part = sorted(idx[s:s + window], key=lambda i: len(examples[i][0]))
        out += [part[i:i + batch_seqs] for i in range(0, len(part), batch_seqs)]
    rng.shuffle(out)
    return out


def collate(examples, idx):
    L = max(len(examples[i][0]) for i in idx)
    x = torch.full((len(idx), L - 1), tok.PAD, dtype=torch.long)
    y = torch.full((len(idx), L - 1), -100, dtype=torch.long)
    for b, i in enumerate(idx):
        ids, start = examples[i]
        t = torch.tensor(ids)
        x[b, :len(ids) - 1] = t[:-1]
        tgt = t[1:].clone()
        tgt[:start - 1] = -100  # no loss on the problem text
        y[b, :len(ids) - 1] = tgt
    return x, y


def greedy_accuracy(model, rows):
    outs = generate(model, [tok.prompt_ids(r["problem"]) for r in rows], temperature=0.0)
    ok = [data.same_answer(data.parse_answer(o), r["answer"]) for o, r in zip(outs, rows)]
    return sum(ok) / max(1, len(ok))


def main():
    args = parse_args()
    if args.procs == 1:
        train(0, args)
    else:
        # data parallel over processes, one BLAS thread each: on 2 cores this trains ~1.2x faster
        # than one process whose OpenBLAS uses both (8.9k vs 7.5k tok/s at 32x160)
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # read when each spawned process loads torch
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(29500 + args.seed % 1000))
        mp.spawn(train, args=(args,), nprocs=args.procs)


def all_reduce_grads(model, procs):
    """Average gradients over the data-parallel processes (one flat buffer, one call)."""
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= procs
    i = 0
    for g in grads:
        g.copy_(flat[i:i + g.numel()].view_as(g))
        i += g.numel()


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="runs/policy")
    ap.add_argument("--per_ops", type=int, default=30000)
    ap.add_argument("--ops", default="1,2,3,4,5,6", help="operation counts to train on")
    ap.add_argument("--max_numbers", default="99",
                    help="number sizes to train on, per_ops problems each (e.g. 9,20,99: small-number "
                         "problems teach the digit arithmetic that 2-digit problems then reuse)")
    ap.add_argument("--max_steps", type=int, default=2600)
    ap.add_argument("--batch_seqs", type=int, default=32, help="sequences per batch per process")
    ap.add_argument("--procs", type=int, default=1, help="data-parallel processes (one thread each)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min_lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--eval_every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--n_layer", type=int, default=4)
    ap.add_argument("--n_head", type=int, default=4)
    ap.add_argument("--n_embd", type=int, default=128)
    ap.add_argument("--block_size", type=int, default=384)
    ap.add_argument("--rope", action="store_true", help="rotary positions instead of a learned table")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (fresh optimizer)")
    ap.add_argument("--grow_to", type=int, default=None,
                    help="with --init: insert identity blocks up to this many layers (the 4x policy)")
    ap.add_argument("--stop_at", type=int, default=None, help="stop early at this step (schedule unchanged)")
    ap.add_argument("--deadline_min", type=float, default=None, help="safety stop after this many minutes")
    return ap.parse_args()


def train(rank, args):
    if args.procs > 1:
        dist.init_process_group("gloo", rank=rank, world_size=args.procs)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)  # same on every process: same batch list, each takes its share
    P = run_logger(os.path.join(args.out, "log.txt")) if rank == 0 else (lambda *a: None)

    t0 = time.time()
    exclude = data.heldout_texts()
    max_numbers = [None if m == "99" else int(m) for m in args.max_numbers.split(",")]
    rows = data.train_set(per_ops=args.per_ops, ops_levels=[int(k) for k in args.ops.split(',')],
                          exclude=exclude, max_numbers=max_numbers)
    if rank == 0:
        data.save_jsonl(os.path.join(data.DATA, "policy_train.jsonl"), rows)
    val = [r for k in range(1, 7) for r in data.eval_set(k, n=20, seed=7)]
    val_small = [r for k in range(1, 7) for r in data.eval_set(k, n=10, seed=7, max_number=20)]
    examples = build_examples(rows)
    assert max(len(e[0]) for e in examples) <= args.block_size
    P(f"train problems {len(rows)} (excluded {len(exclude)} held-out texts), "
      f"tokens {sum(len(e[0]) for e in examples)}, data prep {time.time() - t0:.1f}s")

    cfg = GPTConfig(n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd,
                    block_size=args.block_size, rope=args.rope)
    model = GPT(cfg)
    if args.init:
        from model import load_ckpt
        model, _ = load_ckpt(args.init)
        P("initialised from", args.init)
        if args.grow_to:
            from model import deepen
            model = deepen(model, args.grow_to)
            P(f"deepened to {args.grow_to} layers (new blocks start as identities)")
        cfg = model.cfg
    P("params", model.num_params(), json.dumps(vars(args)))
    probe_set = probe_rows()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        f = min(1.0, (step - args.warmup) / max(1, args.max_steps - args.warmup))
        return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * f))

    step, epoch, t_train = 0, 0, time.time()
    tokens_seen = 0
    last_step = min(args.max_steps, args.stop_at or args.max_steps)
    while step < last_step:
        epoch_batches = batches(examples, args.batch_seqs, rng)
        for bidx in epoch_batches[rank::args.procs][:len(epoch_batches) // args.procs]:
            late = bool(args.deadline_min and time.time() - t_train > 60 * args.deadline_min)
            if args.procs > 1:  # every process must stop at the same step
                flag = torch.tensor([float(late)])
                dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                late = flag.item() > 0
            if late and step < last_step:
                P(f"deadline reached at step {step}")
                last_step = step
            if step >= last_step:
                break
            model.train()
            x, y = collate(examples, bidx)
            logits = model.train_logits(x)
            loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), y.reshape(-1), ignore_index=-100)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if args.procs > 1:
                all_reduce_grads(model, args.procs)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tokens_seen += x.numel() * args.procs
            step += 1
            if step % 25 == 0:
                el = time.time() - t_train
                P(f"step {step} epoch {epoch} loss {loss.item():.4f} lr {lr_at(step):.2e} "
                  f"tok {tokens_seen} {el:.0f}s ({step / el:.2f} it/s)")
            if rank == 0 and step % args.eval_every == 0 and step < last_step:
                te = time.time()
                acc = greedy_accuracy(model, val)
                acc_small = greedy_accuracy(model, val_small)
                copy_loss, result_loss = probe_losses(model, probe_set)
                P(f"eval step {step} greedy_acc(val 120) {acc:.3f} (numbers<=20: {acc_small:.3f}) "
                  f"answer-copy loss {copy_loss:.3f} "
                  f"result-digit loss {result_loss:.3f} ({time.time() - te:.0f}s)")
                save_ckpt(os.path.join(args.out, "ckpt.pt"), model,
                          {"step": step, "val_greedy": acc, "args": vars(args),
                           "train_seconds": time.time() - t_train})
        epoch += 1
    if rank != 0:
        return
    acc = greedy_accuracy(model, val)
    P(f"eval step {step} greedy_acc(val 120) {acc:.3f} (final)")
    save_ckpt(os.path.join(args.out, "ckpt.pt"), model,
              {"step": step, "val_greedy": acc, "args": vars(args),
               "train_seconds": time.time() - t_train})
    P(f"done steps {step} wall {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
