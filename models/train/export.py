"""Export a trained checkpoint to a Hugging Face style folder with ONE ONNX graph
(KV cache, optimum I/O names) and write parity fixtures for the TypeScript runtime.

  /usr/bin/python3 export.py --ckpt runs/policy/ckpt.pt --out ../stepmath-policy \
      --parity ../../test/fixtures/parity-policy.json [--card card.md]
"""
import argparse
import json
import os

import torch

import tokenizer as tok
from model import GPT, load_ckpt, left_pad_positions


class OnnxWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        out, presents = self.model(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (out, *flat)


def io_names(cfg):
    first = "scores" if cfg.prm else "logits"
    past_in, present_out = [], []
    for i in range(cfg.n_layer):
        past_in += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_out += [f"present.{i}.key", f"present.{i}.value"]
    return ["input_ids", "attention_mask", "position_ids"] + past_in, [first] + present_out


def export_onnx(model, path, opset=17):
    model.eval()
    cfg = model.cfg
    H, D = cfg.n_head, cfg.n_embd // cfg.n_head
    B, P, T = 2, 3, 2  # trace with a non-empty past; empty past works at runtime
    ids = torch.randint(5, cfg.vocab_size, (B, T))
    mask = torch.ones(B, P + T, dtype=torch.long)
    pos = torch.arange(P, P + T).unsqueeze(0).expand(B, T).contiguous()
    past = []
    for _ in range(cfg.n_layer):
        past += [torch.randn(B, H, P, D), torch.randn(B, H, P, D)]
    inputs, outputs = io_names(cfg)
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"}}
    for n in inputs[3:]:
        dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
    dyn[outputs[0]] = {0: "batch_size", 1: "sequence_length"}
    for n in outputs[1:]:
        dyn[n] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(model), (ids, mask, pos, *past), path,
                          input_names=inputs, output_names=outputs, dynamic_axes=dyn,
                          opset_version=opset, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


def write_config(model, folder, extra=None):
    cfg = model.cfg
    c = {
        "model_type": "stepmath-gpt",
        "architectures": ["StepMathGPTForTokenScoring" if cfg.prm else "StepMathGPTForCausalLM"],
        "vocab_size": cfg.vocab_size,
        "n_layer": cfg.n_layer, "num_hidden_layers": cfg.n_layer,
        "n_head": cfg.n_head, "num_attention_heads": cfg.n_head, "num_key_value_heads": cfg.n_head,
        "n_embd": cfg.n_embd, "hidden_size": cfg.n_embd,
        "head_dim": cfg.n_embd // cfg.n_head,
        "intermediate_size": 4 * cfg.n_embd,
        "max_position_embeddings": cfg.block_size, "n_positions": cfg.block_size,
        "position_embedding_type": "rotary" if cfg.rope else "absolute",
        **({"rope_theta": 10000.0} if cfg.rope else {}),
        "bos_token_id": tok.BOS, "eos_token_id": tok.EOS, "pad_token_id": tok.PAD,
        "tie_word_embeddings": True,
        "activation_function": "gelu",
        "num_parameters": model.num_params(),
        "use_cache": True,
        "padding_side": "left",
        "position_ids_for_padding": 0,
        "torch_dtype": "float32",
    }
    if cfg.prm:
        c["step_token"] = "\n"
        c["step_token_id"] = tok.NL
        c["score_output"] = "scores (sigmoid, per token; read at each step's terminating newline)"
    c.update(extra or {})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(c, f, indent=2)


# ---------------------------------------------------------------- parity fixtures
PARITY_TEXTS = [
    ("Compute 12 + 7 * ( 5 - 3 ).", "5 - 3 = 2\n7 * 2 = 14\n"),
    ("Solve for x: 3 * x + 5 = 20.", "3 * x = 20 - 5\n"),
    ("Compute 8 * 9.", ""),
]


def r6(t):
    return [[round(float(v), 6) for v in row] for row in t.tolist()] if t.dim() == 2 else \
        [round(float(v), 6) for v in t.tolist()]


def make_parity(model, path):
    model.eval()
    cfg = model.cfg
    key = "scores" if cfg.prm else "logits_last"

    def run(ids, mask, pos, past=None):
        out, pres = model(ids, mask, pos, past)
        return out, pres

    def pick(out):
        # policy: logits at the LAST position of each row, [B, V]; PRM: all scores [B, T]
        return r6(out[:, -1, :]) if not cfg.prm else r6(out)

    seqs = [tok.prompt_ids(p) + tok.encode(s) for p, s in PARITY_TEXTS]
    cases = []
    with torch.no_grad():
        for si, seq in enumerate(seqs[:2]):
            ids = torch.tensor([seq])
            mask = torch.ones_like(ids)
            pos = torch.arange(len(seq)).unsqueeze(0)
            out, _ = run(ids, mask, pos)
            cases.append({"name": f"full_no_cache_{si}", "steps": [
                {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                 "position_ids": pos.tolist(), "past_sequence_length": 0, key: pick(out)}]})
            # same sequence: a prefix with empty past, then the remainder with the cache
            cut = len(seq) - 5
            ids1, ids2 = ids[:, :cut], ids[:, cut:]
            m1 = torch.ones_like(ids1)
            p1 = torch.arange(cut).unsqueeze(0)
            o1, pres = run(ids1, m1, p1)
            m2 = torch.ones(1, len(seq), dtype=torch.long)
            p2 = torch.arange(cut, len(seq)).unsqueeze(0)
            o2, _ = run(ids2, m2, p2, pres)
            cases.append({"name": f"prefix_then_cache_{si}", "steps": [
                {"input_ids": ids1.tolist(), "attention_mask": m1.tolist(),
                 "position_ids": p1.tolist(), "past_sequence_length": 0, key: pick(o1)},
                {"input_ids": ids2.tolist(), "attention_mask": m2.tolist(),
                 "position_ids": p2.tolist(), "past_sequence_length": cut, key: pick(o2)}]})
        # left-padded batch of two different-length sequences, then one cached step
        a, b = seqs[0], seqs[2]
        L = max(len(a), len(b))
        ids = torch.tensor([[tok.PAD] * (L - len(a)) + a, [tok.PAD] * (L - len(b)) + b])
        mask = torch.tensor([[0] * (L - len(a)) + [1] * len(a), [0] * (L - len(b)) + [1] * len(b)])
        pos = left_pad_positions(mask)
        out, pres = run(ids, mask, pos)
        nxt = torch.tensor([[tok.encode("3")[0]], [tok.encode("8")[0]]])
        mask2 = torch.cat([mask, torch.ones(2, 1, dtype=torch.long)], 1)
        pos2 = pos[:, -1:] + 1
        out2, _ = run(nxt, mask2, pos2, pres)
        cases.append({"name": "left_padded_batch", "steps": [
            {"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "position_ids": pos.tolist(),
             "past_sequence_length": 0, key: pick(out)},
            {"input_ids": nxt.tolist(), "attention_mask": mask2.tolist(), "position_ids": pos2.tolist(),
             "past_sequence_length": L, key: pick(out2)}]})
    fx = {
        "model": "models/stepmath-prm" if cfg.prm else "models/stepmath-policy",
        "output": "scores" if cfg.prm else "logits",
        "compare": ("scores [batch, seq] at every position where attention_mask is 1 (padded "
                    "positions are finite but meaningless)") if cfg.prm else
                   "logits of the LAST position of each row, [batch, vocab]",
        "tolerance": 1e-4,
        "n_layer": cfg.n_layer, "n_head": cfg.n_head, "head_dim": cfg.n_embd // cfg.n_head,
        "position_ids_convention": ("left padding: position 0 at the first real token; padded "
                                    "slots get position id 0; attention_mask 0 marks them"),
        "cases": cases,
        "notes": "each case is a list of steps; a step with past_sequence_length > 0 feeds the "
                 "present.* outputs of the previous step as past_key_values.*; the first step "
                 "feeds empty past tensors [batch, n_head, 0, head_dim]",
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(fx, f, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--parity", default=None)
    ap.add_argument("--prm", action="store_true")
    ap.add_argument("--eval", default=None, help="runs/eval.json to copy as eval_results.json")
    args = ap.parse_args()
    model, extra = load_ckpt(args.ckpt, prm=True if args.prm else None)
    model.eval()
    export_onnx(model, os.path.join(args.out, "onnx", "model.onnx"))
    write_config(model, args.out)
    tok.write_hf_files(args.out, model.cfg.block_size)
    if args.parity:
        make_parity(model, args.parity)
    if args.eval and os.path.exists(args.eval):
        ev = json.load(open(args.eval))
        ev["training"] = extra
        with open(os.path.join(args.out, "eval_results.json"), "w") as f:
            json.dump(ev, f, indent=1)
    print("exported", args.out, "params", model.num_params())


if __name__ == "__main__":
    main()
