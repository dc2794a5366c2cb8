"""Tiny contract-test models of every kind, with fixed, known outputs (no training, a few KB each).

    /usr/bin/python3 models/golden/make_tiny_models.py --out models/golden/tiny

They exercise the agent's contracts, decision rules, combination policies and shadow mode in tests that need
outputs they can predict: each graph reads its inputs (so it runs and batches like a real model) but answers
with constants. Not models of anything.

  classifier_ng.onnx    classes ok,particle,scratch; defect_classes particle,scratch; probs 0.1,0.7,0.2 (P(defect) 0.9)
  classifier_ok.onnx    same classes; probs 0.8,0.15,0.05 (P(defect) 0.2); threshold 0.5 for both
  pairseg_blob.onnx     image+template; a 10x10 square of p=0.9 and a 2x2 speck of p=0.95; min_area 20, threshold 0.5
  pairseg_clean.onnx    image+template; p=0.05 everywhere
  density_high.onnx     image only; score 12 (threshold 10); 8x8 patch map
  memseg_low.onnx       image+template memory; map 0.1 everywhere, threshold 0.5
  classifier_nan.onnx   probs NaN: a model whose outputs are not numbers
  unknown_kind.onnx     edgeagent.kind = "fancy"
  class_mismatch.onnx   three classes named, two output
  pairseg_far.onnx      pairseg_clean plus ood_distance (template 5, image 1.5) and ood_bound 3: a pair it never saw the like of
  ood_no_output.onnx    pairseg_clean with an ood_bound in its metadata but no ood_distance output
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

R, CROP = 64, 256


def zero_of(inputs: list[str]) -> list:
    """Nodes computing z = 0 * mean(inputs) with shape [N, 1]: the batch dimension, read from the inputs."""
    nodes = []
    for name in inputs:
        nodes += [helper.make_node("Cast", [name], [name + "_f"], to=TensorProto.FLOAT),
                  helper.make_node("ReduceMean", [name + "_f"], [name + "_m"], axes=[1, 2, 3], keepdims=0)]
    total = inputs[0] + "_m"
    for name in inputs[1:]:
        nodes.append(helper.make_node("Add", [total, name + "_m"], [total + "+"]))
        total += "+"
    nodes += [helper.make_node("Unsqueeze", [total, "axis1"], ["mean1"]),
              helper.make_node("Mul", ["mean1", "zero"], ["z"])]
    return nodes


def model(kind: str, outputs: dict[str, np.ndarray], meta: dict[str, str], template: bool, extra_nodes=None) -> onnx.ModelProto:
    inputs = ["image"] + (["template"] if template else [])
    graph_inputs = [helper.make_tensor_value_info("image", TensorProto.UINT8, ["N", R, R, 3])]
    if template:
        graph_inputs.append(helper.make_tensor_value_info("template", TensorProto.UINT8, ["N", R, R, 1]))
    nodes = zero_of(inputs)
    inits = [numpy_helper.from_array(np.array([1], np.int64), "axis1"), numpy_helper.from_array(np.array(0, np.float32), "zero")]
    graph_outputs = []
    for name, value in outputs.items():
        const = name + "_c"
        inits.append(numpy_helper.from_array(value[None].astype(np.float32), const))
        z = "z"
        if value.ndim == 3:  # [1,h,w] map: z [N,1] -> [N,1,1,1]
            nodes.append(helper.make_node("Unsqueeze", ["z", "axes23"], ["z4_" + name]))
            z = "z4_" + name
            if not any(i.name == "axes23" for i in inits):
                inits.append(numpy_helper.from_array(np.array([2, 3], np.int64), "axes23"))
        nodes.append(helper.make_node("Add", [z, const], [name]))
        graph_outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", *value.shape]))
    nodes += extra_nodes or []
    graph = helper.make_graph(nodes, kind, graph_inputs, graph_outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    base = {"edgeagent.kind": kind, "edgeagent.contract": f"{ {'pairseg': 'pairseg-map', 'classifier': 'classifier-probs', 'density': 'density-score', 'memseg': 'memseg-map'}.get(kind, kind)}/1",
            "edgeagent.version": "1.0.0", "edgeagent.arch": "constant", "edgeagent.crop": str(CROP), "edgeagent.input": str(R),
            "edgeagent.normalisation": "none", "edgeagent.description": "contract-test model with constant outputs; not a model of anything"}
    base.update(meta)
    for k, v in base.items():
        m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
    onnx.checker.check_model(m, full_check=True)
    return m


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    classes = {"edgeagent.classes": "ok,particle,scratch", "edgeagent.defect_classes": "particle,scratch", "edgeagent.threshold": "0.5"}
    blob = np.full((1, R, R), 0.05, np.float32)
    blob[0, 30:40, 20:30] = 0.9
    blob[0, 5:7, 50:52] = 0.95
    models = {
        "classifier_ng": model("classifier", {"class_probs": np.array([0.1, 0.7, 0.2])}, {"edgeagent.name": "tiny-classifier-ng", **classes}, False),
        "classifier_ok": model("classifier", {"class_probs": np.array([0.8, 0.15, 0.05])}, {"edgeagent.name": "tiny-classifier-ok", **classes}, False),
        "pairseg_blob": model("pairseg", {"anomaly_map": blob}, {"edgeagent.name": "tiny-pairseg-blob", "edgeagent.threshold": "0.5", "edgeagent.min_area": "20"}, True),
        "pairseg_clean": model("pairseg", {"anomaly_map": np.full((1, R, R), 0.05)}, {"edgeagent.name": "tiny-pairseg-clean", "edgeagent.threshold": "0.5", "edgeagent.min_area": "20"}, True),
        "density_high": model("density", {"score": np.array([12.0]), "anomaly_map": np.arange(64, dtype=np.float32).reshape(1, 8, 8)}, {"edgeagent.name": "tiny-density-high", "edgeagent.threshold": "10"}, False),
        "memseg_low": model("memseg", {"anomaly_map": np.full((1, R, R), 0.1)}, {"edgeagent.name": "tiny-memseg-low", "edgeagent.threshold": "0.5", "edgeagent.memory": "template"}, True),
        "classifier_nan": model("classifier", {"class_probs": np.array([np.nan, np.nan, np.nan])}, {"edgeagent.name": "tiny-classifier-nan", **classes}, False),
        "unknown_kind": model("fancy", {"class_probs": np.array([0.5, 0.5])}, {"edgeagent.name": "tiny-fancy", "edgeagent.threshold": "0.5", "edgeagent.contract": "fancy/1"}, False),
        "class_mismatch": model("classifier", {"class_probs": np.array([0.5, 0.5])}, {"edgeagent.name": "tiny-mismatch", **classes}, False),
        "pairseg_far": model("pairseg", {"anomaly_map": np.full((1, R, R), 0.05), "ood_distance": np.array([5.0, 1.5])},
                             {"edgeagent.name": "tiny-pairseg-far", "edgeagent.threshold": "0.5", "edgeagent.min_area": "20",
                              "edgeagent.ood_bound": "3", "edgeagent.trained_products": "UBM"}, True),
        "ood_no_output": model("pairseg", {"anomaly_map": np.full((1, R, R), 0.05)},
                               {"edgeagent.name": "tiny-ood-no-output", "edgeagent.threshold": "0.5", "edgeagent.min_area": "20", "edgeagent.ood_bound": "3"}, True),
    }
    for name, m in models.items():
        onnx.save(m, os.path.join(out, name + ".onnx"))
        print(f"{name}.onnx {os.path.getsize(os.path.join(out, name + '.onnx'))} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
