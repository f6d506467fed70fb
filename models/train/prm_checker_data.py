"""PRM training data labelled by the symbolic checker, at scale.

The first PRM learnt from Monte-Carlo values on 360 problems: it learnt which problems and
prefixes tend to fail, not whether a step is right (it scores `18 / 3 = 5` and `18 / 3 = 6`
alike). The checker's verdicts are what a ranker needs: on the policy's cached samples,
majority vote among the samples the checker accepts scores 0.73 against plain majority's
0.58. So here the policy samples many solutions per problem (the engine's `majority` run,
which returns every sample with the checker's verdict on each step), and a step's label is
1 while every step up to it is accepted and 0 from the first rejected one on. The checker
also judges the `Answer:` step against the problem, so the last label is the outcome.
The checker is used only to label training data; at inference the PRM stands alone.

  /usr/bin/python3 prm_checker_data.py --per_ops 60,90,120,150,150,150 --samples 16 --seed 3000

Identical samples of one problem are kept once, with a count (`weight`).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per_ops", default="60,90,120,150,150,150", help="problems per ops level 1..6, per number size")
    ap.add_argument("--max_numbers", default="9,20,99")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--seed", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(data.DATA, "prm_checker.jsonl"))
    args = ap.parse_args()
    per_ops = [int(x) for x in args.per_ops.split(",")]
    exclude = data.heldout_texts()
    problems, seen = [], set()
    for m in [None if x == "99" else int(x) for x in args.max_numbers.split(",")]:
        for k, n in zip(range(1, 7), per_ops):
            seed = data.generator_seed(args.seed, k, m)
            for r in data.generate("mixed", k, n, seed, m):
                if r["problem"] not in exclude and r["problem"] not in seen:
                    seen.add(r["problem"])
                    problems.append(r)
    t0 = time.time()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for r in problems:
            f.write(json.dumps({"problem": r["problem"]}) + "\n")
        path = f.name
    out = subprocess.run(["node", data.CLI, "solve", "--input", path, "--strategy", "majority",
                          "--budget", str(args.samples), "--seed", str(args.seed), "--threads",
                          str(args.threads), "--json"], check=True, capture_output=True, text=True).stdout
    os.unlink(path)
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    results = [l for l in lines if "candidates" in l]
    assert len(results) == len(problems), (len(results), len(problems))
    rows, n_samples = [], 0
    for r, res in zip(problems, results):
        assert res["problem"] == r["problem"]
        unique = {}
        for c in res["candidates"]:
            steps = [s["text"] for s in c["steps"]]
            valid = [s["valid"] for s in c["steps"]]
            key = "\n".join(steps)
            n_samples += 1
            if key in unique:
                unique[key]["weight"] += 1
                continue
            labels = [1.0 if ok else 0.0 for ok in data.accepted_so_far(valid)]
            unique[key] = {"problem": r["problem"], "answer": r["answer"], "ops": r["ops"], "steps": steps,
                           "valid": valid, "labels": labels, "weight": 1, "source": "policy-checker"}
        rows += unique.values()
    data.save_jsonl(args.out, rows)
    pos = sum(r["labels"][-1] for r in rows) / len(rows)
    print(f"{len(problems)} problems, {n_samples} samples, {len(rows)} unique solutions "
          f"({pos:.3f} end accepted) in {time.time() - t0:.0f}s -> {args.out}")


if __name__ == "__main__":
    main()
