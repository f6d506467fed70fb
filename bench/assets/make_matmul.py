"""Writes bench/assets/matmul.onnx: one float32 MatMul, Y[M, N] = A[M, K] @ B[K, N], all dims symbolic.

bench/throughput.ts runs it with onnxruntime-node at a few square sizes to measure this machine's
peak matmul GFLOP/s (the roofline ceiling). Both operands are graph inputs, so the file stays tiny.
Run: /usr/bin/python3 bench/assets/make_matmul.py
"""
from pathlib import Path

import onnx
from onnx import TensorProto, helper

a = helper.make_tensor_value_info("A", TensorProto.FLOAT, ["M", "K"])
b = helper.make_tensor_value_info("B", TensorProto.FLOAT, ["K", "N"])
y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["M", "N"])
graph = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["Y"])], "matmul", [a, b], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="stepwise-bench")
model.ir_version = 8
onnx.checker.check_model(model)
out = Path(__file__).with_name("matmul.onnx")
onnx.save(model, out)
print(f"wrote {out} ({out.stat().st_size} bytes)")
