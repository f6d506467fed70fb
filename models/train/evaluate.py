"""Evaluate the policy (greedy, pass@16, majority@16 per difficulty level on held-out mixed
problems, seed 7: ops 1..6 with the generator's default numbers (up to 99), 50 per level,
and ops 1..6 with numbers up to 20 and up to 9, 25 per level) and, with --prm, PRM best-of-16 / weighted majority
and step-level AUC on held-out policy samples (data/prm_heldout.jsonl, seed 8).

  /usr/bin/python3 evaluate.py --policy runs/policy/ckpt.pt [--prm runs/prm/ckpt.pt]
Samples are cached in runs/eval_samples.json so the PRM pass reuses the same 16 samples.
"""
import argparse
import json
import os
import time
from collections import defaultdict

import torch

import data
import tokenizer as tok
from model import load_ckpt
from sample import generate


NUMBER_SIZES = (99, 20, 9)  # largest literal: the generator's default, then the small-number levels


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
    probs = []
    for numbers in NUMBER_SIZES:
        n = args.n if numbers == 99 else args.n // 2
        for k in range(1, 7):
            probs += [dict(r, numbers=numbers) for r in data.eval_set(k, n=n, seed=7, max_number=None if numbers == 99 else numbers)]
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
        cache = [{"problem": r["problem"], "answer": r["answer"], "ops": r["ops"], "numbers": r["numbers"],
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
        k = (c["numbers"], c["ops"])
        gold = c["answer"]
        ans = [data.parse_answer(s) for s in c["samples"]]
        ok = [data.same_answer(a, gold) for a in ans]
        res[k]["greedy"].append(data.same_answer(data.parse_answer(c["greedy"]), gold))
        res[k]["pass@N"].append(any(ok))
        res[k]["majority@N"].append(data.same_answer(data.vote(ans), gold))
        res[k]["mean_sample_acc"].append(sum(ok) / len(ok))
        if prm is not None:
            aggs = {"min": [min(p) for p in c["prm"]], "last": [p[-1] for p in c["prm"]],
                    "prod": [float(torch.tensor(p).prod()) for p in c["prm"]]}
            for name, v in aggs.items():
                best = max(range(len(v)), key=lambda i: v[i])
                res[k][f"prm_best_of_N_{name}"].append(ok[best])
                res[k][f"prm_weighted_majority_{name}"].append(data.same_answer(data.vote(ans, v), gold))
    def pooled(keys):
        keys = list(keys)
        return {m: round(sum(sum(res[k][m]) for k in keys) / sum(len(res[k][m]) for k in keys), 3)
                for m in res[keys[0]]} | {"n": sum(len(res[k]["greedy"]) for k in keys)}

    rows = {}  # label -> metrics, in print order
    for numbers in NUMBER_SIZES:
        for k in sorted(o for nb, o in res if nb == numbers):
            rows[f"<={numbers} / {k} ops"] = pooled([(numbers, k)])
        rows[f"<={numbers} / 4-6 ops"] = pooled(k for k in res if k[0] == numbers and k[1] >= 4)
        rows[f"<={numbers} / all"] = pooled(k for k in res if k[0] == numbers)
    rows["all sizes / 4-6 ops"] = pooled(k for k in res if k[1] >= 4)
    rows["all sizes / all"] = pooled(res)
    table = {f"{nb}/{k}": rows[f"<={nb} / {k} ops"] for nb, k in sorted(res)}
    out = {"per_level": table, "ops_4_to_6": rows["<=99 / 4-6 ops"], "all": rows["<=99 / all"],
           "summary": {label: m for label, m in rows.items() if "ops" not in label or "4-6" in label},
           "N": args.samples, "temperature": args.temperature, "eval_seed": 7, "n_per_level": args.n}
    if prm is not None:
        held = data.load_jsonl(os.path.join(data.DATA, "prm_heldout.jsonl"))
        a_soft, a_check, n_steps = heldout_auc(prm, held)
        out["prm_step_auc_heldout"] = {"auc_label_ge_0.5": round(a_soft, 4),
                                       "auc_checker_prefix_valid": round(a_check, 4),
                                       "n_steps": n_steps, "n_solutions": len(held)}
    prev = json.load(open(args.out)) if os.path.exists(args.out) else {}
    prev.update(out)
    json.dump(prev, open(args.out, "w"), indent=1)
    cols = [m for m in rows["all sizes / all"] if m != "n"]
    print("| numbers / ops | n | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for label, m in rows.items():
        print(f"| {label} | {m['n']} | " + " | ".join(f"{m[c]:.2f}" for c in cols) + " |")
    if prm is not None:
        print("PRM held-out step AUC:", out["prm_step_auc_heldout"])
    print(f"eval wall {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
