"""StepMath data from the TypeScript generator (the one source of truth).

  node dist/cli.js generate --family mixed --ops K --count N --seed S
Train seeds are 1000 + 10*K (+ offsets), evaluation seeds are 7 (policy eval) and
8 (PRM held-out); every eval problem text is removed from the training sets.
"""
import json
import os
import subprocess
from fractions import Fraction

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "dist", "cli.js")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def generate(family, ops, count, seed, max_number=None):
    extra = [] if max_number is None else ["--max-number", str(max_number)]
    out = subprocess.run(["node", CLI, "generate", "--family", family, "--ops", str(ops),
                          "--count", str(count), "--seed", str(seed)] + extra,
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def eval_set(ops, n=50, seed=7, max_number=None):
    """Held-out mixed problems for one ops level (deduplicated by text)."""
    seen, rows = set(), []
    for r in generate("mixed", ops, n * 3, seed, max_number):
        if r["problem"] not in seen:
            seen.add(r["problem"])
            rows.append(r)
        if len(rows) == n:
            break
    return rows


# Number sizes the held-out sets cover: the generator's default (99) and the small-number
# levels of the curriculum (DESIGN: difficulty = operations, size of numbers, nesting).
HELDOUT_MAX_NUMBERS = (None, 9, 20)


def heldout_texts(n=50, ops_levels=range(1, 7), seeds=(7, 8)):
    texts = set()
    for s in seeds:
        for m in HELDOUT_MAX_NUMBERS:
            for k in ops_levels:
                for r in generate("mixed", k, n * 3, s, m):  # superset of what eval uses
                    texts.add(r["problem"])
    return texts


def generator_seed(base, ops, max_number):
    """The generator seed of one (ops level, number size) slice of a training set: base + 10*K
    (+ 1000*M for the small number sizes), so no two slices share a seed."""
    return base + 10 * ops + (0 if max_number is None else 1000 * max_number)


def train_set(per_ops=30000, ops_levels=range(1, 7), seed_base=1000, exclude=(), max_numbers=(None,)):
    """per_ops problems per ops level and per number size (None: the generator's default, 99)."""
    exclude = set(exclude)
    rows, seen = [], set()
    for m in max_numbers:
        for k in ops_levels:
            seed = generator_seed(seed_base, k, m)
            for r in generate("mixed", k, per_ops, seed, m):
                if r["problem"] in exclude or r["problem"] in seen:
                    continue
                seen.add(r["problem"])
                rows.append(r)
    return rows


def parse_answer(text):
    """Final answer of a generated solution (text after the last 'Answer:'), or None."""
    i = text.rfind("Answer:")
    if i < 0:
        return None
    return text[i + len("Answer:"):].strip().split("\n")[0].strip()


def to_number(s):
    if s is None:
        return None
    try:
        return Fraction(s.replace(" ", ""))
    except (ValueError, ZeroDivisionError):
        return None


def same_answer(a, b):
    if a is None or b is None:
        return False
    na, nb = to_number(a), to_number(b)
    if na is not None and nb is not None:
        return na == nb
    return a.strip() == b.strip()


def accepted_so_far(verdicts):
    """Per step: has the checker accepted (or not rejected) every step up to and including it?"""
    out, ok = [], True
    for v in verdicts:
        ok = ok and v is not False
        out.append(ok)
    return out


def vote(answers, weights=None):
    """The answer with the largest total weight (1 each without weights), the first seen on a tie;
    None when no sample has an answer."""
    total = {}
    for i, a in enumerate(answers):
        if a is not None:
            total[a] = total.get(a, 0.0) + (1.0 if weights is None else weights[i])
    return max(total, key=total.get) if total else None


def verify_steps(items):
    """items: [{"problem", "steps": [...]}] -> list of verdict lists (True/False/None per step).
    Uses `node dist/cli.js verify --jsonl`; returns None if the checker is unavailable."""
    if not items:
        return []
    if len(items) > 2000:  # the CLI reads at most 1 MiB of input per call
        parts = [verify_steps(items[i:i + 2000]) for i in range(0, len(items), 2000)]
        return None if any(p is None for p in parts) else [v for p in parts for v in p]
    inp = "".join(json.dumps({"problem": it["problem"], "steps": it["steps"]}) + "\n" for it in items)
    try:
        p = subprocess.run(["node", CLI, "verify", "--jsonl"], input=inp, capture_output=True,
                           text=True, timeout=600)
    except Exception:
        return None
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    if p.returncode != 0 or len(lines) != len(items):
        return None
    out = []
    for it, l in zip(items, lines):
        d = json.loads(l)
        v = [s.get("valid") for s in d["steps"]]
        if len(v) != len(it["steps"]):
            return None
        out.append(v)
    return out


def save_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]
