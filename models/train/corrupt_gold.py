"""Contrast pairs for the PRM: gold solutions and copies with one result changed.

Policy samples teach the PRM which problems and prefixes tend to fail, but a sampled wrong
step and a right one rarely share a problem and a prefix, so the head can reach a high step AUC
by judging the problem instead of the step (best-of-16 with such a PRM did worse than majority
vote). Here every problem comes twice: the gold solution (every step 1) and the gold prefix up to
one step whose result is changed the way the policy errs (one digit, or off by 1-10), labelled 1
before that step and 0 on it. Only changes the checker rejects are kept.

  /usr/bin/python3 corrupt_gold.py --per_ops 150 --seed 5150
"""
import argparse
import os
import random
import re

import data

RESULT = re.compile(r"^(.* = )(\d+)$")


def corrupt(value, rng):
    if rng.random() < 0.5:
        i = rng.randrange(len(value))
        digits = [d for d in "0123456789" if d != value[i] and not (i == 0 and d == "0" and len(value) > 1)]
        return value[:i] + rng.choice(digits) + value[i + 1:]
    return str(max(0, int(value) + rng.choice([-1, 1]) * rng.randint(1, 10)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per_ops", type=int, default=150, help="problems per ops level and number size")
    ap.add_argument("--max_numbers", default="9,20,99")
    ap.add_argument("--seed", type=int, default=5150)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    exclude = data.heldout_texts()
    rows = []
    for m in [None if x == "99" else int(x) for x in args.max_numbers.split(",")]:
        for k in range(1, 7):
            seed = data.generator_seed(args.seed, k, m)
            rows += [r for r in data.generate("mixed", k, args.per_ops, seed, m) if r["problem"] not in exclude]
    candidates = []
    for r in rows:
        steps = r["solution"].split("\n")
        spots = [i for i, s in enumerate(steps[:-1]) if RESULT.match(s)]
        if not spots:
            continue
        i = rng.choice(spots)
        head, value = RESULT.match(steps[i]).groups()
        wrong = corrupt(value, rng)
        if wrong == value:
            continue
        candidates.append((r, steps[:i] + [head + wrong]))
    verdicts = data.verify_steps([{"problem": r["problem"], "steps": st} for r, st in candidates])
    assert verdicts is not None, "the checker (node dist/cli.js verify --jsonl) is needed"
    out = []
    for (r, st), v in zip(candidates, verdicts):
        if v[-1] is not False or any(x is False for x in v[:-1]):
            continue
        gold = r["solution"].split("\n")
        out.append({"problem": r["problem"], "answer": r["answer"], "ops": r["ops"], "steps": gold,
                    "labels": [1.0] * len(gold), "valid": [True] * len(gold), "source": "gold"})
        out.append({"problem": r["problem"], "answer": r["answer"], "ops": r["ops"], "steps": st,
                    "labels": [1.0] * (len(st) - 1) + [0.0], "valid": v, "source": "corrupted"})
    data.save_jsonl(os.path.join(data.DATA, "prm_corrupted.jsonl"), out)
    print(f"{len(out) // 2} pairs from {len(rows)} problems ({len(candidates) - len(out) // 2} changes not rejected by the checker, dropped)")


if __name__ == "__main__":
    main()
