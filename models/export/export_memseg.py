"""Export a trained MemSeg model to the EdgeAgent ONNX contract "memseg-map/1".

    /usr/bin/python3 models/export/export_memseg.py --weights W.pth --memory template \
        --crop 256 --input 128 --threshold 0.5 --name N --version V --out model.onnx \
        [--description TEXT] [--skip-verify]

Graph: image uint8 [batch,R,R,3] (BGR) (+ template uint8 [batch,R,R,1] gray when --memory template)
       -> anomaly_map float32 [batch,1,R,R] in [0,1] (sigmoid in the graph).
The agent crops (centre C, INTER_AREA to R) and decides: score = max(anomaly_map), NG iff
score >= threshold. See models/README.md, section "MemSeg".
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import warnings
from typing import Sequence

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import memseg as M  # noqa: E402
import onnx_eval  # noqa: E402
import onnx_file  # noqa: E402

OPSET = 17
IR_VERSION = 8
MEMORY_RE = re.compile(r"^(template|baked:[1-9]\d*)$")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="MemSeg checkpoint (.pth) written by train_memseg.py")
    ap.add_argument("--memory", required=True, help="template | baked:N; must match the checkpoint")
    ap.add_argument("--crop", type=int, required=True, help="C: centre crop size the agent takes")
    ap.add_argument("--input", type=int, required=True, help="R: model input size (INTER_AREA from C if R != C)")
    ap.add_argument("--threshold", type=float, required=True, help="NG iff max(anomaly_map) >= threshold, 0 < t < 1")
    ap.add_argument("--name", required=True, help="model name, [A-Za-z0-9._-], <= 64 chars")
    ap.add_argument("--version", required=True, help="semantic version, e.g. 1.0.0")
    ap.add_argument("--description", default="", help="free text stored in edgeagent.description")
    ap.add_argument("--out", required=True, help="output .onnx path")
    ap.add_argument("--skip-verify", action="store_true", help="skip the graph-vs-torch check (not recommended)")
    return ap


def validate(a: argparse.Namespace) -> None:
    M.validate_geometry(a.crop, a.input)
    M.validate_threshold(a.threshold)
    if not MEMORY_RE.match(a.memory):
        raise M.ParamError(f"--memory must be 'template' or 'baked:N' (N >= 1); got {a.memory!r}")
    onnx_file.check_identity(a.name, a.version, a.out, M.ParamError)


def memory_tag(net: M.MemSegNet) -> str:
    return "template" if net.memory == "template" else f"baked:{net.bank_size}"


def check_against(a: argparse.Namespace, net: M.MemSegNet) -> None:
    if memory_tag(net) != a.memory:
        raise M.ParamError(f"--memory {a.memory} but {a.weights} holds memory {memory_tag(net)}")
    if net.r != a.input:
        raise M.ParamError(f"--input {a.input} but {a.weights} was trained at input {net.r}")


def inputs_for(net: M.MemSegNet, n: int, r: int, g: torch.Generator | None = None):
    im = torch.randint(0, 256, (n, r, r, 3), dtype=torch.uint8, generator=g)
    if net.memory == "template":
        return {"image": im, "template": torch.randint(0, 256, (n, r, r, 1), dtype=torch.uint8, generator=g)}
    return {"image": im}


def export_graph(net: M.MemSegNet, r: int, path: str) -> None:
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    feeds = inputs_for(net, 2, r)
    names = list(feeds)
    torch.onnx.export(
        net, tuple(feeds.values()), path, opset_version=OPSET, do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,  # BN folded into conv
        input_names=names, output_names=["anomaly_map"],
        dynamic_axes={**{k: {0: "batch"} for k in names}, "anomaly_map": {0: "batch"}})


def metadata(a: argparse.Namespace, net: M.MemSegNet) -> dict:
    return {
        "edgeagent.contract": M.CONTRACT,
        "edgeagent.kind": M.KIND,
        "edgeagent.name": a.name,
        "edgeagent.version": a.version,
        "edgeagent.arch": M.ARCH,
        "edgeagent.crop": str(a.crop),
        "edgeagent.input": str(a.input),
        "edgeagent.normalisation": M.NORMALISATION,
        "edgeagent.threshold": M.fmt(a.threshold),
        "edgeagent.memory": memory_tag(net),
        "edgeagent.created_utc": onnx_file.created_utc(),
        "edgeagent.description": a.description or (
            f"MemSeg ({M.ARCH}), memory {memory_tag(net)}; anomaly_map = sigmoid defect probability; "
            f"contract {M.CONTRACT}"),
        "edgeagent.weights_sha256": M.sha256_file(a.weights),
    }


def verify(path: str, net: M.MemSegNet, r: int) -> float:
    """onnx.checker with full shape inference, then the ONNX file executed by onnx_eval (an
    independent numpy interpreter) against the torch module on a random batch of 2."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    feeds = inputs_for(net, 2, r, torch.Generator().manual_seed(1234))
    with torch.no_grad():
        want = net(*feeds.values()).numpy()
    got = onnx_eval.run(model, {k: v.numpy() for k, v in feeds.items()})["anomaly_map"]
    if got.shape != want.shape or got.dtype != np.float32:
        raise RuntimeError(f"ONNX output {got.shape}/{got.dtype} != torch {want.shape}/float32")
    err = float(np.abs(got - want).max())
    print(f"verify: onnx graph vs torch max|diff| = {err:.2e} (map range {want.min():.3f}..{want.max():.3f})")
    if err > 1e-4:
        raise RuntimeError("exported graph does not reproduce the torch module within 1e-4")
    return err


def main(argv: Sequence[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    torch.set_num_threads(2)
    try:
        validate(a)
        net = M.load_model(a.weights)
        check_against(a, net)
    except M.ParamError as e:
        print(f"export_memseg: error: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        export_graph(net, a.input, raw)
        model = onnx_eval.fold_constants(onnx.load(raw))
    onnx_file.finish(model, a.out, "export_memseg", M.CONTRACT, a.name, a.version, metadata(a, net), {"anomaly_map": (1, a.input, a.input)}, IR_VERSION)
    if not a.skip_verify:
        verify(a.out, net, a.input)
    size = os.path.getsize(a.out)
    print(f"wrote {a.out} ({size / 1e6:.2f} MB) sha256 {M.sha256_file(a.out)}; ops "
          f"{sorted({n.op_type for n in model.graph.node})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
