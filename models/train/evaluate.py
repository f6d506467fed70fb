"""Evaluate the policy (greedy, pass@16, majority@16 per ops level on held-out mixed
problems, seed 7, 50 per level) and, with --prm, PRM best-of-16 / weighted majority
and step-level AUC on held-out policy samples (data/prm_heldout.jsonl, seed 8).

  /usr/bin/python3 evaluate.py --policy runs/policy/ckpt.pt [--prm runs/prm/ckpt.pt]
Samples are cached in runs/eval_samples.json so the PRM pass reuses the same 16 samples.
"""
import argparse
import json
import os
import time
from collections import Counter, defaultdict

import torch

import data
import tokenizer as tok
from model import load_ckpt
from sample import generate


def steps_of(text):
    return [l for l in text.split("\n") if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", default="runs/policy/ckpt.pt")
    ap.add_argument("--prm", default=None)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--seed", type=int, default=777)
    ap.add_argument("--cache", default="runs/eval_samples.json")
    ap.add_argument("--out", default="runs/eval.json")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    probs = [r for k in range(1, 7) for r in data.eval_set(k, n=args.n, seed=7)]
    if os.path.exists(args.cache):
        cache = json.load(open(args.cache))
        assert [c["problem"] for c in cache] == [r["problem"] for r in probs]
        print(f"reusing cached samples {args.cache}")
    else:
        policy, _ = load_ckpt(args.policy)
        gen = torch.Generator().manual_seed(args.seed)
        prompts = [tok.prompt_ids(r["problem"]) for r in probs]
        greedy = generate(policy, prompts, temperature=0.0)
        samp = generate(policy, [p for p in prompts for _ in range(args.samples)],
                        temperature=args.temperature, generator=gen)
        cache = [{"problem": r["problem"], "answer": r["answer"], "ops": r["ops"],
                  "greedy": greedy[i], "samples": samp[i * args.samples:(i + 1) * args.samples]}
                 for i, r in enumerate(probs)]
        json.dump(cache, open(args.cache, "w"))
        print(f"sampled in {time.time() - t0:.0f}s")

    prm = None
    if args.prm:
        prm, _ = load_ckpt(args.prm, prm=True)
        from train_prm import score_solutions, heldout_auc
        flat = [{"problem": c["problem"], "steps": steps_of(s) or [""]} for c in cache for s in c["samples"]]
        sc = score_solutions(prm, flat)
        for i, c in enumerate(cache):
            c["prm"] = sc[i * args.samples:(i + 1) * args.samples]

    res = defaultdict(lambda: defaultdict(list))
    for c in cache:
        k = c["ops"]
        gold = c["answer"]
        ans = [data.parse_answer(s) for s in c["samples"]]
        ok = [data.same_answer(a, gold) for a in ans]
        res[k]["greedy"].append(data.same_answer(data.parse_answer(c["greedy"]), gold))
        res[k]["pass@N"].append(any(ok))
        votes = Counter(a for a in ans if a is not None)
        maj = votes.most_common(1)[0][0] if votes else None
        res[k]["majority@N"].append(data.same_answer(maj, gold))
        res[k]["mean_sample_acc"].append(sum(ok) / len(ok))
        if prm is not None:
            aggs = {"min": [min(p) for p in c["prm"]], "last": [p[-1] for p in c["prm"]],
                    "prod": [float(torch.tensor(p).prod()) for p in c["prm"]]}
            for name, v in aggs.items():
                best = max(range(len(v)), key=lambda i: v[i])
                res[k][f"prm_best_of_N_{name}"].append(ok[best])
                w = defaultdict(float)
                for a, s in zip(ans, v):
                    if a is not None:
                        w[a] += s
                wa = max(w, key=w.get) if w else None
                res[k][f"prm_weighted_majority_{name}"].append(data.same_answer(wa, gold))
    table = {}
    for k in sorted(res):
        table[k] = {m: round(sum(v) / len(v), 3) for m, v in res[k].items()}
        table[k]["n"] = len(res[k]["greedy"])
    hard = [k for k in res if k >= 4]
    agg = {m: round(sum(sum(res[k][m]) for k in hard) / sum(len(res[k][m]) for k in hard), 3)
           for m in res[hard[0]]}
    allk = {m: round(sum(sum(res[k][m]) for k in res) / sum(len(res[k][m]) for k in res), 3)
            for m in res[1]}
    out = {"per_ops": table, "ops_4_to_6": agg, "all": allk, "N": args.samples,
           "temperature": args.temperature, "eval_seed": 7, "n_per_ops": args.n}
    if prm is not None:
        held = data.load_jsonl(os.path.join(data.DATA, "prm_heldout.jsonl"))
        a_soft, a_check, n_steps = heldout_auc(prm, held)
        out["prm_step_auc_heldout"] = {"auc_label_ge_0.5": round(a_soft, 4),
                                       "auc_checker_prefix_valid": round(a_check, 4),
                                       "n_steps": n_steps, "n_solutions": len(held)}
    prev = json.load(open(args.out)) if os.path.exists(args.out) else {}
    prev.update(out)
    json.dump(prev, open(args.out, "w"), indent=1)
    cols = [m for m in table[1] if m != "n"]
    print("| ops | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for k in sorted(table):
        print(f"| {k} | " + " | ".join(f"{table[k][m]:.2f}" for m in cols) + " |")
    print("| 4-6 | " + " | ".join(f"{agg[m]:.2f}" for m in cols) + " |")
    print("| all | " + " | ".join(f"{allk[m]:.2f}" for m in cols) + " |")
    if prm is not None:
        print("PRM held-out step AUC:", out["prm_step_auc_heldout"])
    print(f"eval wall {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
