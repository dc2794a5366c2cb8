"""Export a layer-1..3 STPM teacher/student pair to the EdgeAgent ONNX contract "stpm-maps/1".

    /usr/bin/python3 models/export/export_stpm.py --arch resnet18 --teacher T.pth --student S.pth \
        --crop 256 --input 256 --pad 16 --layer-weights 0.5,1,0.5 --mask gaussian:0.25 \
        --threshold 1.7 --name N --version V --out model.onnx

Graph: template uint8 [batch,R,R,1] (gray) + image uint8 [batch,R,R,3] (BGR)
       -> layer_maps float32 [batch,3,R,R] (d_1, d_2, d_3; score definition steps 3-7).
The agent does steps 1-2 (align, centre crop C, INTER_AREA to R) and 8-10 (fuse, mask, max).
See models/README.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from typing import Sequence

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx_eval  # noqa: E402
import onnx_file  # noqa: E402
import reference  # noqa: E402
import stpm  # noqa: E402

OPSET = 17


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, help=f"one of {', '.join(stpm.ARCHS)}")
    ap.add_argument("--teacher", required=True, help="teacher state_dict (.pth); gets the template")
    ap.add_argument("--student", required=True, help="student state_dict (.pth); gets the image")
    ap.add_argument("--crop", type=int, required=True, help="C: centre crop size the agent takes")
    ap.add_argument("--input", type=int, required=True, help="R: model input size (INTER_AREA from C if R != C)")
    ap.add_argument("--pad", type=int, required=True, help="P: reflect padding (pixels per side)")
    ap.add_argument("--layer-weights", required=True, help="w1,w2,w3 for the fused map, e.g. 0.5,1,0.5")
    ap.add_argument("--mask", required=True, help="none | centre:RHO | gaussian:SIGMA")
    ap.add_argument("--threshold", type=float, required=True, help="NG iff score >= threshold")
    ap.add_argument("--name", required=True, help="model name, [A-Za-z0-9._-], <= 64 chars")
    ap.add_argument("--version", required=True, help="semantic version, e.g. 1.0.0")
    ap.add_argument("--description", default="", help="free text stored in edgeagent.description")
    ap.add_argument("--out", required=True, help="output .onnx path")
    ap.add_argument("--skip-verify", action="store_true", help="skip the graph-vs-torch check (not recommended)")
    return ap


def validate(a: argparse.Namespace) -> stpm.ScoreParams:
    if a.arch not in stpm.ARCHS:
        raise stpm.ParamError(f"--arch must be one of {', '.join(stpm.ARCHS)}; got {a.arch!r}")
    stpm.validate_geometry(a.crop, a.input, a.pad)
    stpm.validate_threshold(a.threshold)
    onnx_file.check_identity(a.name, a.version, a.out, stpm.ParamError)
    return stpm.ScoreParams(a.crop, a.input, a.pad, stpm.parse_weights(a.layer_weights),
                            stpm.parse_mask(a.mask), a.threshold)


def export_graph(module: stpm.STPMMaps, r: int, path: str) -> None:
    # torch 1.13 warns that it cannot fold the reflect-pad Slice (step -1) and about prim::Constant
    # shape inference; onnx_eval.fold_constants folds those afterwards, the checker validates shapes.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    t = torch.zeros(2, r, r, 1, dtype=torch.uint8)
    s = torch.zeros(2, r, r, 3, dtype=torch.uint8)
    torch.onnx.export(
        module, (t, s), path, opset_version=OPSET, do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,  # BN folded into conv
        input_names=["template", "image"], output_names=["layer_maps"],
        dynamic_axes={"template": {0: "batch"}, "image": {0: "batch"}, "layer_maps": {0: "batch"}})


def metadata(a: argparse.Namespace, p: stpm.ScoreParams) -> dict:
    return {
        "edgeagent.contract": stpm.CONTRACT,
        "edgeagent.kind": "stpm",
        "edgeagent.arch": a.arch,
        "edgeagent.crop": str(p.crop),
        "edgeagent.input": str(p.input),
        "edgeagent.pad": str(p.pad),
        "edgeagent.layer_weights": ",".join(stpm._fmt(w) for w in p.layer_weights),
        "edgeagent.mask": str(p.mask),
        "edgeagent.threshold": stpm._fmt(p.threshold),
        "edgeagent.name": a.name,
        "edgeagent.version": a.version,
        "edgeagent.created_utc": onnx_file.created_utc(),
        "edgeagent.teacher_sha256": stpm.sha256_file(a.teacher),
        "edgeagent.student_sha256": stpm.sha256_file(a.student),
        "edgeagent.description": a.description or (
            f"STPM layer1-3 {a.arch}; teacher gets the gray template, student the BGR image; "
            f"output d_1..d_3 maps; contract {stpm.CONTRACT}"),
    }


def verify(path: str, module: stpm.STPMMaps, teacher, student, p: stpm.ScoreParams) -> None:
    """1) onnx.checker with full shape inference; 2) the ONNX graph, executed by onnx_eval (an
    independent numpy interpreter), against the torch module on a random batch; 3) the torch
    module against the float64 reference scorer on the same batch (guards the module itself)."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    r = p.input
    g = torch.Generator().manual_seed(1234)
    n = 2
    tmpl = torch.randint(0, 256, (n, r, r, 1), dtype=torch.uint8, generator=g)
    img = torch.randint(0, 256, (n, r, r, 3), dtype=torch.uint8, generator=g)
    with torch.no_grad():
        want = module(tmpl, img).numpy()
    got = onnx_eval.run(model, {"template": tmpl.numpy(), "image": img.numpy()})["layer_maps"]
    if got.shape != want.shape or got.dtype != np.float32:
        raise RuntimeError(f"ONNX output {got.shape}/{got.dtype} != torch {want.shape}/float32")
    err_graph = float(np.abs(got - want).max())
    ref = reference.ReferenceScorer(teacher, student, stpm.ScoreParams(r, r, p.pad, (1, 1, 1), stpm.MaskSpec("none"), 1.0))
    err_ref = 0.0
    for i in range(n):
        rs = ref.score_arrays(tmpl[i, :, :, 0].numpy(), img[i].numpy())
        err_ref = max(err_ref, float(np.abs(rs.maps - want[i]).max()))
    print(f"verify: onnx graph vs torch max|diff| = {err_graph:.2e}; torch vs float64 reference = {err_ref:.2e}")
    if err_graph > 1e-4 or err_ref > 1e-4:
        raise RuntimeError("exported graph does not reproduce the reference within 1e-4")


def main(argv: Sequence[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    torch.set_num_threads(2)
    try:
        p = validate(a)
        teacher = stpm.load_backbone(a.arch, a.teacher, "teacher")
        student = stpm.load_backbone(a.arch, a.student, "student")
    except stpm.ParamError as e:
        print(f"export_stpm: error: {e}", file=sys.stderr)
        return 2
    module = stpm.STPMMaps(teacher, student, p.input, p.pad).eval()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        export_graph(module, p.input, raw)
        model = onnx_eval.fold_constants(onnx.load(raw))
    onnx_file.finish(model, a.out, "export_stpm", stpm.CONTRACT, a.name, a.version, metadata(a, p), {"layer_maps": (3, p.input, p.input)})
    if not a.skip_verify:
        verify(a.out, module, stpm.load_backbone(a.arch, a.teacher, "teacher"),
               stpm.load_backbone(a.arch, a.student, "student"), p)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.1f} MB) sha256 {stpm.sha256_file(a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
