"""Write a model's second ONNX form, the in-place one: the same weights in a fused graph
(SkipLayerNormalization, BiasGelu, FusedMatMul from onnxruntime's contrib ops) whose cache stays in
the caller's buffer. Attention scores the new tokens against the cache where it lies and against
each other, so nothing concatenates or copies the cache, and the graph returns only the new tokens'
keys and values, which the engine writes into each row's next slots (src/core/model/kv-cache-in-place.ts).

  /usr/bin/python3 export_inplace.py --folder ../stepmath-policy         # weights from onnx/model.onnx
  /usr/bin/python3 export_inplace.py --folder ../x --ckpt runs/x/ckpt.pt  # weights from a checkpoint

writes FOLDER/onnx/model_inplace.onnx beside the optimum-layout model.onnx, which stays: it is the form
any model folder may bring, and what transformers.js runs in the bench. Inputs: input_ids [B,S] int64,
position_ids [B,S] int64, attention_bias [B,1,S,C+S] float (0 or -1e9: which cache columns and which
new tokens each new token sees), past_key_values.L.{key,value} [B,H,C,D] (C: the buffer's capacity,
rows right-padded). Outputs: logits [B,S,V] (policy) or scores [B,S] (PRM), and
new_key_values.L.{key,value} [B,H,S,D]. Our GPT architecture only (rotary, pre-LN, tied head).

Why not onnxruntime's GroupQueryAttention with past and present sharing one buffer: onnxruntime-node
returns every output as a fresh JavaScript copy, so a present output as large as the cache is copied
on every run (measured: half the speed of the optimum form at 16 rows, 256-column buffers; bench/README.md).
"""
import argparse
import json
import math
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"


def weights_from_optimum(path):
    """The state dict of our GPT from its optimum-layout export (MatMul weights are stored transposed)."""
    m = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    sd = {k[len("model."):]: v for k, v in inits.items() if k.startswith("model.")}
    for n in m.graph.node:
        if n.op_type not in ("MatMul", "Gemm") or n.input[1] not in inits or n.input[1].startswith("model."):
            continue
        # "/model/blocks.0/mlp/mlp.0/MatMul" -> "blocks.0.mlp.0"; "/model/MatMul" is the tied head
        name = ".".join(n.name.strip("/").split("/")[1:-1]).replace(".mlp.mlp.", ".mlp.")
        if not name:
            continue
        w = inits[n.input[1]]
        sd[name + ".weight"] = w.T if n.op_type == "MatMul" else w
        if n.op_type == "Gemm" and len(n.input) > 2:
            sd[name + ".bias"] = inits[n.input[2]]
    return sd


def weights_from_ckpt(path):
    import torch
    ck = torch.load(path, map_location="cpu")
    return {k: v.float().numpy() for k, v in ck["state"].items()}


def build_inplace(sd, n_layer, n_head, max_positions, prm, theta=10000.0):
    """The cache stays the caller's: attention reads it where it lies (scores against the cache and
    against the new tokens separately, so nothing concatenates or copies it) and the graph returns
    only the new tokens' keys and values, which the caller writes into its buffer at each row's
    position. Any batch may feed any number of tokens per row."""
    V, C = sd["wte.weight"].shape
    D = C // n_head
    inits, nodes = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op, ins, outs, domain="", **attrs):
        nodes.append(helper.make_node(op, ins, outs, name=f"{op}_{len(nodes)}", domain=domain, **attrs))
        return outs[0]

    f32 = lambda a: np.asarray(a, dtype=np.float32)
    inv_freq = 1.0 / (theta ** (np.arange(0, D, 2, dtype=np.float64) / D))
    angles = np.arange(max_positions, dtype=np.float64)[:, None] * inv_freq[None, :]
    const("cos_cache", f32(np.cos(angles)))
    const("sin_cache", f32(np.sin(angles)))
    const("heads_shape", np.array([0, 0, n_head, D], dtype=np.int64))
    const("hidden_shape", np.array([0, 0, C], dtype=np.int64))
    # the probabilities split where the cache's columns end and the new tokens' begin
    cap = node("Slice", [node("Shape", ["past_key_values.0.key"], ["past_shape"]), const("two", np.array([2], dtype=np.int64)), const("three", np.array([3], dtype=np.int64))], ["capacity"])
    new = node("Slice", [node("Shape", ["input_ids"], ["ids_shape"]), const("one", np.array([1], dtype=np.int64)), "two"], ["fed"])
    node("Concat", [cap, new], ["split_sizes"], axis=0)
    x = node("Gather", [const("wte", f32(sd["wte.weight"])), "input_ids"], ["x0"])
    residual, pending_bias = x, None
    for i in range(n_layer):
        p = f"blocks.{i}."

        def norm(ln, inp, tag):
            nonlocal residual
            g, b = const(p + ln + ".g", f32(sd[p + ln + ".weight"])), const(p + ln + ".b", f32(sd[p + ln + ".bias"]))
            if pending_bias is None:
                return node("LayerNormalization", [inp, g, b], [f"h{i}{tag}"], axis=-1, epsilon=1e-5)
            out = node("SkipLayerNormalization", [inp, residual, g, b, pending_bias], [f"h{i}{tag}", "", "", f"r{i}{tag}"], domain=MS, epsilon=1e-5)
            residual = f"r{i}{tag}"
            return out

        h = norm("ln1", residual if pending_bias is None else f"mlp{i - 1}", "a")
        qkv = node("MatMul", [h, const(p + "qkv.w", f32(sd[p + "attn.qkv.weight"].T))], [f"qkv{i}m"])
        qkv = node("Add", [qkv, const(p + "qkv.b", f32(sd[p + "attn.qkv.bias"]))], [f"qkv{i}"])
        node("Split", [qkv, const(p + "split", np.array([C, C, C], dtype=np.int64))], [f"q{i}", f"k{i}", f"v{i}"], axis=-1)
        heads = {}
        for t in ("q", "k"):
            r = node("RotaryEmbedding", [f"{t}{i}", "position_ids", "cos_cache", "sin_cache"], [f"{t}{i}r"], domain=MS, num_heads=n_head, interleaved=0)
            heads[t] = node("Transpose", [node("Reshape", [r, "heads_shape"], [f"{t}{i}h"])], [f"{t}{i}t"], perm=[0, 2, 1, 3])
        heads["v"] = node("Transpose", [node("Reshape", [f"v{i}", "heads_shape"], [f"v{i}h"])], [f"new_key_values.{i}.value"], perm=[0, 2, 1, 3])
        node("Identity", [heads["k"]], [f"new_key_values.{i}.key"])
        past_k, past_v = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        scale = 1.0 / math.sqrt(D)
        s_past = node("FusedMatMul", [heads["q"], past_k], [f"sp{i}"], domain=MS, transB=1, alpha=scale)
        s_new = node("FusedMatMul", [heads["q"], heads["k"]], [f"sn{i}"], domain=MS, transB=1, alpha=scale)
        scores = node("Add", [node("Concat", [s_past, s_new], [f"sc{i}"], axis=-1), "attention_bias"], [f"sb{i}"])
        probs = node("Softmax", [scores], [f"pr{i}"], axis=-1)
        p_past, p_new = node("Split", [probs, "split_sizes"], [f"pp{i}", f"pn{i}"], axis=-1), f"pn{i}"
        ctx = node("Add", [node("MatMul", [p_past, past_v], [f"cp{i}"]), node("MatMul", [p_new, heads["v"]], [f"cn{i}"])], [f"ctx{i}"])
        attn = node("Reshape", [node("Transpose", [ctx], [f"ctx{i}t"], perm=[0, 2, 1, 3]), "hidden_shape"], [f"attn{i}"])
        proj = node("MatMul", [attn, const(p + "proj.w", f32(sd[p + "attn.proj.weight"].T))], [f"proj{i}"])
        pending_bias = const(p + "proj.b", f32(sd[p + "attn.proj.bias"]))
        h = norm("ln2", proj, "b")
        fc = node("MatMul", [h, const(p + "fc.w", f32(sd[p + "mlp.0.weight"].T))], [f"fc{i}"])
        act = node("BiasGelu", [fc, const(p + "fc.b", f32(sd[p + "mlp.0.bias"]))], [f"gelu{i}"], domain=MS)
        node("MatMul", [act, const(p + "out.w", f32(sd[p + "mlp.2.weight"].T))], [f"mlp{i}"])
        pending_bias = const(p + "out.b", f32(sd[p + "mlp.2.bias"]))
    g, b = const("ln_f.g", f32(sd["ln_f.weight"])), const("ln_f.b", f32(sd["ln_f.bias"]))
    h = node("SkipLayerNormalization", [f"mlp{n_layer - 1}", residual, g, b, pending_bias], ["hf"], domain=MS, epsilon=1e-5)
    if prm:
        sc = node("Add", [node("MatMul", [h, const("score.w", f32(sd["score_head.weight"].T))], ["s1"]), const("score.b", f32(sd["score_head.bias"]))], ["s2"])
        node("Squeeze", [node("Sigmoid", [sc], ["s3"]), const("last_axis", np.array([-1], dtype=np.int64))], ["scores"])
        head = helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch_size", "sequence_length"])
    else:
        node("MatMul", [h, const("lm_head", f32(sd["wte.weight"].T))], ["logits"])
        head = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", V])
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_bias", TensorProto.FLOAT, ["batch_size", 1, "sequence_length", "capacity_plus_sequence_length"])]
    outputs = [head]
    for i in range(n_layer):
        for w in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{w}", TensorProto.FLOAT, ["batch_size", n_head, "capacity", D]))
            outputs.append(helper.make_tensor_value_info(f"new_key_values.{i}.{w}", TensorProto.FLOAT, ["batch_size", n_head, "sequence_length", D]))
    graph = helper.make_graph(nodes, "stepwise-cache-in-place", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)], producer_name="stepwise export_inplace.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", required=True, help="model folder: reads config.json (and onnx/model.onnx unless --ckpt), writes onnx/model_inplace.onnx")
    ap.add_argument("--ckpt", default=None, help="weights from this checkpoint instead of onnx/model.onnx")
    args = ap.parse_args()
    cfg = json.load(open(os.path.join(args.folder, "config.json")))
    n_layer, n_head, max_positions = cfg["n_layer"], cfg["n_head"], cfg["max_position_embeddings"]
    prm = "score_output" in cfg
    assert cfg.get("position_embedding_type") == "rotary", "the in-place form is written for rotary models"
    sd = weights_from_ckpt(args.ckpt) if args.ckpt else weights_from_optimum(os.path.join(args.folder, "onnx", "model.onnx"))
    model = build_inplace(sd, n_layer, n_head, max_positions, prm)
    out = os.path.join(args.folder, "onnx", "model_inplace.onnx")
    onnx.save(model, out)
    print(f"{out}: {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
