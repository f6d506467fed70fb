"""Build PRM training / held-out data from POLICY SAMPLES (Math-Shepherd style).

For each problem: sample S solutions from the policy (temperature 0.8), split into
steps (lines), label every step with
  (a) the symbolic checker `node dist/cli.js verify --jsonl` (valid true/false/null), and
  (b) Monte-Carlo value: K policy rollouts (temperature 0.8) from the prefix ending with
      that step; value = (rollouts reaching the gold answer + [the sample itself did]) / (K+1).
Label = 0 for a step the checker rejects and for every step after it; the final
"Answer: v" step is labelled 1/0 by exact answer match; otherwise the MC value (soft).
Gold solutions of the same problems are added as all-positive examples.

  /usr/bin/python3 prm_data.py --policy runs/policy/ckpt.pt
"""
import argparse
import os
import random
import time

import torch

import data
from runlog import run_logger
import tokenizer as tok
from model import load_ckpt
from sample import generate

HERE = os.path.dirname(os.path.abspath(__file__))


def split_steps(text):
    return [l for l in text.split("\n") if l.strip()]


def label_samples(model, problems, n_samples, k_rollouts, temperature, gen, log):
    """problems: generator rows. Returns list of {problem, answer, steps, labels, valid, mc, source}."""
    t0 = time.time()
    prompts = [tok.prompt_ids(r["problem"]) for r in problems for _ in range(n_samples)]
    outs = generate(model, prompts, temperature=temperature, generator=gen, max_new=200)
    sols = []
    for j, o in enumerate(outs):
        r = problems[j // n_samples]
        steps = split_steps(o)[:12]
        if not steps:
            continue
        sols.append({"problem": r["problem"], "answer": r["answer"], "ops": r["ops"],
                     "steps": steps, "source": "policy"})
    log(f"  sampled {len(sols)} solutions in {time.time() - t0:.0f}s")

    verdicts = data.verify_steps([{"problem": s["problem"], "steps": s["steps"]} for s in sols])
    checker = verdicts is not None
    if not checker:
        log("  WARNING: verify --jsonl unavailable; falling back to answer check + MC only")
        verdicts = [[None] * len(s["steps"]) for s in sols]
    for s, v in zip(sols, verdicts):
        s["valid"] = v
        s["final_correct"] = data.same_answer(data.parse_answer("\n".join(s["steps"])), s["answer"])

    # Monte-Carlo rollouts for every non-final step up to (excluding) the first invalid one
    jobs = []
    for si, s in enumerate(sols):
        for i, st in enumerate(s["steps"]):
            if s["valid"][i] is False:
                break
            if st.startswith("Answer:"):
                break
            jobs.append((si, i))
    t1 = time.time()
    rp = []
    for si, i in jobs:
        s = sols[si]
        prefix = s["problem"] + "\n" + "\n".join(s["steps"][:i + 1]) + "\n"
        rp += [[tok.BOS] + tok.encode(prefix)] * k_rollouts
    routs = generate(model, rp, temperature=temperature, generator=gen, max_new=160) if rp else []
    for s in sols:
        s["mc"] = [None] * len(s["steps"])
    for j, (si, i) in enumerate(jobs):
        s = sols[si]
        hits = sum(data.same_answer(data.parse_answer(o), s["answer"])
                   for o in routs[j * k_rollouts:(j + 1) * k_rollouts])
        s["mc"][i] = (hits + int(s["final_correct"])) / (k_rollouts + 1)
    log(f"  {len(jobs)} prefixes x {k_rollouts} rollouts in {time.time() - t1:.0f}s")

    for s in sols:
        labels = []
        for i, (st, ok) in enumerate(zip(s["steps"], data.accepted_so_far(s["valid"]))):
            if not ok:
                labels.append(0.0)
            elif st.startswith("Answer:") or s["mc"][i] is None:
                labels.append(1.0 if s["final_correct"] else 0.0)
            else:
                labels.append(s["mc"][i])
        s["labels"] = labels
    return sols, checker


def gold_examples(problems):
    return [{"problem": r["problem"], "answer": r["answer"], "ops": r["ops"],
             "steps": r["solution"].split("\n"), "labels": [1.0] * len(r["solution"].split("\n")),
             "valid": [True] * len(r["solution"].split("\n")), "final_correct": True,
             "source": "gold"} for r in problems]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", default="runs/policy/ckpt.pt")
    ap.add_argument("--per_ops", default="30,60,80,100,100,100")
    ap.add_argument("--heldout_per_ops", type=int, default=30)
    ap.add_argument("--max_numbers", default="99", help="number sizes, the per_ops counts for each")
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model, _ = load_ckpt(args.policy)
    log = run_logger(os.path.join(HERE, "runs", "prm_data_log.txt"))

    t0 = time.time()
    exclude = data.heldout_texts()
    policy_train = {r["problem"] for r in data.load_jsonl(os.path.join(data.DATA, "policy_train.jsonl"))}
    counts = [int(c) for c in args.per_ops.split(",")]
    sizes = [None if m == "99" else int(m) for m in args.max_numbers.split(",")]
    train_probs, held_probs = [], []
    for m in sizes:
        for k, n in zip(range(1, 7), counts):
            seed = data.generator_seed(2000, k, m)
            rows = [r for r in data.generate("mixed", k, n * 3, seed, m) if r["problem"] not in exclude]
            seen, pick = set(), []
            for r in rows:
                if r["problem"] not in seen:
                    seen.add(r["problem"])
                    pick.append(r)
            train_probs += pick[:n]
            # held-out PRM problems: seed 8 (never used by any training set)
            held_probs += data.eval_set(k, n=args.heldout_per_ops, seed=8, max_number=m)
    log(f"PRM data: {len(train_probs)} train problems "
        f"({sum(r['problem'] in policy_train for r in train_probs)} also in policy SFT data), "
        f"{len(held_probs)} held-out problems")
    log("train split:")
    train, checker = label_samples(model, train_probs, args.samples, args.k, args.temperature, gen, log)
    train += gold_examples(train_probs)
    log("held-out split:")
    held, checker2 = label_samples(model, held_probs, args.samples, args.k, args.temperature, gen, log)
    data.save_jsonl(os.path.join(data.DATA, "prm_train.jsonl"), train)
    data.save_jsonl(os.path.join(data.DATA, "prm_heldout.jsonl"), held)
    pol = [s for s in train if s["source"] == "policy"]
    log(f"train: {len(train)} solutions ({len(pol)} policy, {sum(s['final_correct'] for s in pol)} "
        f"policy-correct), steps {sum(len(s['steps']) for s in train)}; checker used: {checker}/{checker2}")
    log(f"prm_data wall {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
