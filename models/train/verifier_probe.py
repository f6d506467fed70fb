"""How well can a verifier pick among a problem's samples, and how well do ours?

On evaluate.py's cached samples (runs/eval_samples.json: 16 samples at T = 0.7 for each of
600 held-out problems), with the symbolic checker's verdict on every step:
  - majority vote, and the ceiling of a perfect step checker: majority among the samples
    whose steps the checker accepts all of (checker-filtered majority);
  - each verifier given: best-of-16 and weighted majority by its per-sample score, and its
    within-problem pair accuracy: how often a sample with every step accepted outscores a
    sample of the same problem with a rejected step (0.5: it cannot tell them apart);
  - verifiers: PRM checkpoints (`--prm`, score of the last step) and policy checkpoints
    (`--likelihood`, the summed log-probability of every step's result tokens, those after
    "= "; the policy checking its own arithmetic).

  /usr/bin/python3 verifier_probe.py --prm runs/prm/ckpt.pt --likelihood runs/policy/final.pt
"""
import argparse
import json
import math
from collections import defaultdict

import torch

import data
import tokenizer as tok
from model import left_pad_positions, load_ckpt
from evaluate import steps_of
from train_prm import score_solutions


@torch.no_grad()
def result_logprob(policy, problem_texts, batch_size=128):
    """Summed log-probability of the result tokens (after "= ") of each solution's steps."""
    eq = tok.encode("= ")
    out = []
    for s in range(0, len(problem_texts), batch_size):
        seqs = [(len(tok.prompt_ids(p)), tok.prompt_ids(p) + tok.encode(t)) for p, t in problem_texts[s:s + batch_size]]
        L = max(len(q) for _, q in seqs)
        ids = torch.tensor([[tok.PAD] * (L - len(q)) + q for _, q in seqs])
        mask = (ids != tok.PAD).long()
        logits, _ = policy(ids, mask, left_pad_positions(mask), None)
        lp = torch.log_softmax(logits.float(), -1)
        for b, (P, q) in enumerate(seqs):
            off, total, in_result = L - len(q), 0.0, False
            for t in range(P, len(q)):
                if in_result:
                    total += lp[b, off + t - 1, q[t]].item()
                if q[t] == tok.NL:
                    in_result = False
                elif q[t - 1:t + 1] == eq:
                    in_result = True
            out.append(total)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="runs/eval_samples.json")
    ap.add_argument("--prm", action="append", default=[])
    ap.add_argument("--likelihood", action="append", default=[])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cache = json.load(open(args.cache))
    n = len(cache[0]["samples"])
    flat = [{"problem": c["problem"], "steps": steps_of(s) or [""]} for c in cache for s in c["samples"]]
    verdicts = data.verify_steps(flat)
    assert verdicts is not None, "the checker (node dist/cli.js verify --jsonl) is needed"
    accepted = [all(v is not False for v in vs) for vs in verdicts]

    scorers = {}
    for path in args.prm:
        prm, _ = load_ckpt(path, prm=True)
        scorers[f"PRM {path}"] = [s[-1] for s in score_solutions(prm, flat)]
    for path in args.likelihood:
        policy, _ = load_ckpt(path)
        policy.eval()
        scorers[f"result log-prob {path}"] = result_logprob(policy, [(c["problem"], s) for c in cache for s in c["samples"]])

    res = defaultdict(lambda: defaultdict(list))
    pairs = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for ci, c in enumerate(cache):
        group = "4-6 ops" if c["ops"] >= 4 else "1-3 ops"
        sl = slice(ci * n, (ci + 1) * n)
        ans = [data.parse_answer(s) for s in c["samples"]]
        ok = [data.same_answer(a, c["answer"]) for a in ans]
        acc = accepted[sl]
        res["majority"][group].append(data.same_answer(data.vote(ans), c["answer"]))
        # majority among the accepted samples; among all when no accepted sample has an answer
        kept = data.vote([a if good else None for a, good in zip(ans, acc)]) or data.vote(ans)
        res["checker-filtered majority (ceiling)"][group].append(data.same_answer(kept, c["answer"]))
        for name, scores in scorers.items():
            sc = scores[sl]
            # weighted majority adds probabilities: PRM scores already are, log-probs are exponentiated
            weight = [math.exp(x) if name.startswith("result") else x for x in sc]
            best = max(range(n), key=lambda i: sc[i])
            res[f"{name}: best-of-{n}"][group].append(ok[best])
            res[f"{name}: weighted majority"][group].append(data.same_answer(data.vote(ans, weight), c["answer"]))
            for i in range(n):
                for j in range(n):
                    if acc[i] and not acc[j]:
                        pairs[name][group][0] += sc[i] > sc[j]
                        pairs[name][group][1] += 1
    groups = ["1-3 ops", "4-6 ops"]
    print(f"| {len(cache)} problems x {n} samples | all | " + " | ".join(groups) + " |")
    print("|---|---|---|---|")
    for name, by in res.items():
        everything = by[groups[0]] + by[groups[1]]
        print(f"| {name} | {sum(everything) / len(everything):.3f} | " + " | ".join(f"{sum(by[g]) / len(by[g]):.3f}" for g in groups) + " |")
    for name, by in pairs.items():
        right = sum(by[g][0] for g in groups) / max(1, sum(by[g][1] for g in groups))
        print(f"| {name}: pair accuracy | {right:.3f} | " + " | ".join(f"{by[g][0] / max(1, by[g][1]):.3f}" for g in groups) + " |")


if __name__ == "__main__":
    main()
