"""Export a CutPaste-style density model to the EdgeAgent ONNX contract "density-score/1".

    /usr/bin/python3 models/export/export_density.py --weights model.pth --gaussian gaussian.npz \
        --crop 256 --input 128 --threshold 21.5 --name N --version V --out model.onnx \
        [--map-threshold T] [--no-map] [--description TEXT] [--skip-verify]

The checkpoint decides the graph:
- pair encoder (1-channel stem; train_density_pair.py, the bundled model): image uint8 [batch,R,R,3] (BGR)
  and template uint8 [batch,R,R,1] -> anomaly_map float32 [batch,1,R/8,R/8] = the local mean (pool x pool,
  from the .npz) of the per-position Mahalanobis distance of d = f(gray image) - f(template);
  score float32 [batch,1] = its maximum over the central share (centre, from the .npz).
- image encoder (3-channel stem; train_density.py, runs 1-6): image only -> score = sqrt((e-mu)^T Sinv (e-mu)),
  e = pooled stage-4 embedding, or (score_from "map" in the .npz) the maximum of the stage-3 patch map;
  anomaly_map [batch,1,R/16,R/16] unless --no-map.
mu and Sinv are constants in the graph. The agent crops (C, INTER_AREA to R) and applies
NG iff score >= threshold. See models/README.md ("Density kind").
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
import density as D  # noqa: E402
import onnx_eval  # noqa: E402
import onnx_file  # noqa: E402

OPSET = 17
IR_VERSION = 8


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="CutPasteNet (or bare encoder) state_dict (.pth); head.* is ignored")
    ap.add_argument("--gaussian", required=True,
                    help=".npz with mean [C], inv_cov [C,C] (+ patch_mean, patch_inv_cov for the map)")
    ap.add_argument("--crop", type=int, required=True, help="C: centre crop size the agent takes")
    ap.add_argument("--input", type=int, required=True, help="R: model input size (INTER_AREA from C if R != C); multiple of 32")
    ap.add_argument("--threshold", type=float, required=True, help="NG iff score >= threshold")
    ap.add_argument("--name", required=True, help="model name, [A-Za-z0-9._-], <= 64 chars")
    ap.add_argument("--version", required=True, help="semantic version, e.g. 1.0.0")
    ap.add_argument("--map-threshold", type=float, default=None,
                    help="informational edgeagent.map_threshold for the anomaly_map (not part of the decision rule)")
    ap.add_argument("--no-map", action="store_true", help="export the score output only")
    ap.add_argument("--description", default="", help="free text stored in edgeagent.description")
    ap.add_argument("--out", required=True, help="output .onnx path")
    ap.add_argument("--skip-verify", action="store_true", help="skip the graph-vs-torch check (not recommended)")
    return ap


def validate(a: argparse.Namespace) -> None:
    if not 32 <= a.crop <= 4096:
        raise D.ParamError(f"--crop must be in [32, 4096]; got {a.crop}")
    if not 32 <= a.input <= a.crop:
        raise D.ParamError(f"--input must be in [32, crop={a.crop}]; got {a.input}")
    if a.input % 32:
        raise D.ParamError(f"--input must be a multiple of 32 (the encoder's stride); got {a.input}")
    if not (np.isfinite(a.threshold) and a.threshold > 0):
        raise D.ParamError(f"--threshold must be finite and > 0; got {a.threshold}")
    if a.map_threshold is not None and not (np.isfinite(a.map_threshold) and a.map_threshold > 0):
        raise D.ParamError(f"--map-threshold must be finite and > 0; got {a.map_threshold}")
    if a.map_threshold is not None and a.no_map:
        raise D.ParamError("--map-threshold makes no sense with --no-map")
    onnx_file.check_identity(a.name, a.version, a.out, D.ParamError)


def is_pair(a: argparse.Namespace) -> bool:
    return D.is_pair_checkpoint(D.load_checkpoint(a.weights))


def build_module(a: argparse.Namespace) -> D.DensityScore | D.PairDensityScore:
    """The pair graph (image + template) for a 1-channel pair encoder, else the image-only graph."""
    if is_pair(a):
        if a.no_map:
            raise D.ParamError("--no-map: a pair model's score is the maximum of its map; the map is always exported")
        return D.build_pair_module(a.weights, a.gaussian, a.input)
    return D.build_module(a.weights, a.gaussian, with_map=not a.no_map)


def inputs_of(module: D.DensityScore | D.PairDensityScore, r: int, n: int, gen: torch.Generator | None = None) -> dict:
    """Example inputs by contract name: random uint8 if gen is given, else mid-grey."""
    shapes = {"image": (n, r, r, 3)} | ({"template": (n, r, r, 1)} if isinstance(module, D.PairDensityScore) else {})
    if gen is None:
        return {k: torch.full(v, 128, dtype=torch.uint8) for k, v in shapes.items()}
    return {k: torch.randint(0, 256, v, dtype=torch.uint8, generator=gen) for k, v in shapes.items()}


def has_map(module: D.DensityScore | D.PairDensityScore) -> bool:
    return isinstance(module, D.PairDensityScore) or module.with_map


def export_graph(module: D.DensityScore | D.PairDensityScore, r: int, path: str) -> None:
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    x = inputs_of(module, r, 2)
    outs = ["score", "anomaly_map"] if has_map(module) else ["score"]
    torch.onnx.export(
        module, tuple(x.values()), path, opset_version=OPSET, do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,  # BN folded into conv
        input_names=list(x), output_names=outs,
        dynamic_axes={**{i: {0: "batch"} for i in x}, **{o: {0: "batch"} for o in outs}})


def pair_metadata(a: argparse.Namespace, module: D.PairDensityScore) -> dict:
    enc = module.encoder
    w = "-".join(str(v) for v in enc.widths[:enc.stage])
    rule = (f"max over the central {D.fmt(module.centre)} of the anomaly_map: the {module.pool}x{module.pool} local mean of "
            f"the Mahalanobis distance per stage-{enc.stage} position of d = f(gray image) - f(template), in the graph")
    md = {
        "edgeagent.contract": D.CONTRACT,
        "edgeagent.kind": D.KIND,
        "edgeagent.name": a.name,
        "edgeagent.version": a.version,
        "edgeagent.arch": f"cutpaste-pair-resnet18-stage{enc.stage}-w{w}",
        "edgeagent.crop": str(a.crop),
        "edgeagent.input": str(a.input),
        "edgeagent.normalisation": f"gray(image) and template, each per image (x-mean)/sqrt(var+{D.fmt(D.IMAGE_NORM_EPS)})",
        "edgeagent.threshold": D.fmt(a.threshold),
        "edgeagent.created_utc": onnx_file.created_utc(),
        "edgeagent.description": a.description or (
            f"CutPaste-style pair density model: one encoder (ResNet-18 stem + stages 1..{enc.stage}, widths {w}) on "
            f"gray(image) and the template; score = {rule}; contract {D.CONTRACT}"),
        "edgeagent.score_rule": rule,
        "edgeagent.weights_sha256": D.sha256_file(a.weights),
        "edgeagent.gaussian_sha256": D.sha256_file(a.gaussian),
    }
    if a.map_threshold is not None:
        md["edgeagent.map_threshold"] = D.fmt(a.map_threshold)
    return md


def metadata(a: argparse.Namespace, module: D.DensityScore | D.PairDensityScore) -> dict:
    if isinstance(module, D.PairDensityScore):
        return pair_metadata(a, module)
    w = module.encoder.widths
    md = {
        "edgeagent.contract": D.CONTRACT,
        "edgeagent.kind": D.KIND,
        "edgeagent.name": a.name,
        "edgeagent.version": a.version,
        "edgeagent.arch": f"cutpaste-resnet18-w{'-'.join(str(v) for v in w)}",
        "edgeagent.crop": str(a.crop),
        "edgeagent.input": str(a.input),
        "edgeagent.normalisation": ("rgb:(x-(0.485,0.456,0.406))/(0.229,0.224,0.225)" if module.norm == "imagenet" else
                                    f"rgb:per-image per-channel (x-mean_c)/sqrt(var_c+{D.fmt(D.IMAGE_NORM_EPS)})"),
        "edgeagent.threshold": D.fmt(a.threshold),
        "edgeagent.created_utc": onnx_file.created_utc(),
        "edgeagent.description": a.description or (
            f"CutPaste-style density model: ResNet-18 layout, widths {w}; score = "
            + ("max over stage-3 positions of the Mahalanobis distance to a Ledoit-Wolf Gaussian of normal patches"
               if module.score_from == "map" else
               "Mahalanobis distance of the pooled embedding to a Ledoit-Wolf Gaussian of normal images")
            + f"; contract {D.CONTRACT}"),
        "edgeagent.score_rule": ("max of the stage-3 patch map (Mahalanobis per position), in the graph"
                                 if module.score_from == "map" else "Mahalanobis distance of the pooled stage-4 embedding"),
        "edgeagent.weights_sha256": D.sha256_file(a.weights),
        "edgeagent.gaussian_sha256": D.sha256_file(a.gaussian),
    }
    if a.map_threshold is not None:
        md["edgeagent.map_threshold"] = D.fmt(a.map_threshold)
    return md


def verify(path: str, module: D.DensityScore | D.PairDensityScore, r: int) -> float:
    """1) onnx.checker with full shape inference; 2) the ONNX file, executed by onnx_eval (numpy
    interpreter), against the torch module on a random batch and on a batch of flat images (the
    latter gives large distances, i.e. exercises the far tail). Returns the largest |diff|."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    g = torch.Generator().manual_seed(1234)
    batches = [inputs_of(module, r, 2, g), inputs_of(module, r, 1)]
    err, err_abs = 0.0, 0.0
    for x in batches:
        with torch.no_grad():
            want = module(*x.values())
        want = [want] if isinstance(want, torch.Tensor) else list(want)
        got = onnx_eval.run(model, {k: v.numpy() for k, v in x.items()})
        for o, w in zip([o.name for o in model.graph.output], want):
            w = w.numpy()
            if got[o].shape != w.shape or got[o].dtype != np.float32:
                raise RuntimeError(f"ONNX {o} {got[o].shape}/{got[o].dtype} != torch {w.shape}/float32")
            # relative to the magnitude: distances can be O(10..1000)
            err = max(err, float(np.abs(got[o] - w).max() / max(1.0, np.abs(w).max())))
            err_abs = max(err_abs, float(np.abs(got[o] - w).max()))
    print(f"verify: onnx graph vs torch max|diff| = {err_abs:.2e} absolute, {err:.2e} relative to max(1,|output|) "
          f"(random and flat inputs: far-tail distances)")
    if err > 1e-4:
        raise RuntimeError("exported graph does not reproduce the torch module within 1e-4")
    return err


def main(argv: Sequence[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    torch.set_num_threads(2)
    try:
        validate(a)
        module = build_module(a)
    except D.ParamError as e:
        print(f"export_density: error: {e}", file=sys.stderr)
        return 2
    r = a.input
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        export_graph(module, r, raw)
        model = onnx_eval.fold_constants(onnx.load(raw))
    side = module.map_size if isinstance(module, D.PairDensityScore) else r // 16
    shapes = {"score": (1,), "anomaly_map": (1, side, side)}
    onnx_file.finish(model, a.out, "export_density", D.CONTRACT, a.name, a.version, metadata(a, module), shapes, IR_VERSION)
    if not a.skip_verify:
        verify(a.out, module, r)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB) sha256 {D.sha256_file(a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
