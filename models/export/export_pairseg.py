"""Export a trained pair segmenter to the EdgeAgent ONNX contract "pairseg-map/1".

    /usr/bin/python3 models/export/export_pairseg.py --weights pairseg.pth \
        --crop 256 --input 256 --threshold 0.5 --min-area 20 --name N --version V --out model.onnx \
        [--description TEXT] [--skip-verify]

Graph: image uint8 [batch,R,R,3] (BGR) + template uint8 [batch,R,R,1] (gray)
       -> anomaly_map float32 [batch,1,R,R] = defect probability (sigmoid in the graph).
In the graph: gray = 0.299 R + 0.587 G + 0.114 B, x/255, (x - 0.518)/0.361 for both inputs,
torch.cat on channels, 1x1 conv, VGG U-Net, sigmoid. The agent crops (centre C, INTER_AREA to R)
and applies the decision rule (8-connected regions of {p >= t}, regions < A px ignored,
score = max of the map without them, NG iff score >= t). See models/README.md.
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
import kinds  # noqa: E402
import onnx_eval  # noqa: E402
import onnx_file  # noqa: E402

OPSET = 17


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="checkpoint written by models/train/train_pairseg.py")
    ap.add_argument("--crop", type=int, required=True, help="C: centre crop size the agent takes")
    ap.add_argument("--input", type=int, required=True, help="R: model input size (INTER_AREA from C if R != C)")
    ap.add_argument("--threshold", type=float, required=True, help="t: map pixels p >= t form regions; NG iff score >= t")
    ap.add_argument("--min-area", type=int, required=True, help="A: regions smaller than A pixels (R x R map) are ignored")
    ap.add_argument("--name", required=True, help="model name, [A-Za-z0-9._-], <= 64 chars")
    ap.add_argument("--version", required=True, help="semantic version, e.g. 1.0.0")
    ap.add_argument("--description", default="", help="free text stored in edgeagent.description")
    ap.add_argument("--out", required=True, help="output .onnx path")
    ap.add_argument("--skip-verify", action="store_true", help="skip the graph-vs-torch check (not recommended)")
    return ap


def validate(a: argparse.Namespace) -> None:
    kinds.validate_common(a.crop, a.input, a.threshold, a.name, a.version, a.out)
    if a.threshold >= 1:
        raise kinds.ParamError(f"--threshold is a probability: it must lie in (0, 1); got {a.threshold}")
    if a.min_area < 1 or a.min_area > a.input * a.input:
        raise kinds.ParamError(f"--min-area must lie in [1, R*R={a.input * a.input}]; got {a.min_area}")


def metadata(a: argparse.Namespace, net: kinds.PairSegNet) -> dict:
    widths = "-".join(str(w) for w in net.widths)
    return {
        "edgeagent.contract": kinds.PAIRSEG_CONTRACT,
        "edgeagent.kind": "pairseg",
        "edgeagent.name": a.name,
        "edgeagent.version": a.version,
        "edgeagent.arch": f"unet-vgg-{widths}",
        "edgeagent.crop": str(a.crop),
        "edgeagent.input": str(a.input),
        "edgeagent.normalisation": f"gray:(x-{kinds.fmt(kinds.SEG_NORM[0])})/{kinds.fmt(kinds.SEG_NORM[1])}",
        "edgeagent.threshold": kinds.fmt(a.threshold),
        "edgeagent.min_area": str(a.min_area),
        "edgeagent.created_utc": onnx_file.created_utc(),
        "edgeagent.weights_sha256": kinds.sha256_file(a.weights),
        "edgeagent.description": a.description or (
            f"pair segmentation U-Net (VGG {widths}) on the gray image and gray template joined on channels; "
            f"output anomaly_map = defect probability; contract {kinds.PAIRSEG_CONTRACT}"),
    }


def export_graph(net: kinds.PairSegNet, r: int, path: str) -> None:
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)  # the upsampling sizes are static per R
    image = torch.zeros(2, r, r, 3, dtype=torch.uint8)
    template = torch.zeros(2, r, r, 1, dtype=torch.uint8)
    torch.onnx.export(
        net, (image, template), path, opset_version=OPSET, do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,  # BN folded into conv
        input_names=["image", "template"], output_names=["anomaly_map"],
        dynamic_axes={"image": {0: "batch"}, "template": {0: "batch"}, "anomaly_map": {0: "batch"}})


def verify(path: str, net: kinds.PairSegNet, r: int) -> float:
    """onnx.checker with full shape inference, then the ONNX file executed by onnx_eval (numpy) against
    the torch module on a batch of 2: one random pair, one real-looking pair (template = image gray + a blob)."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    g = torch.Generator().manual_seed(1234)
    image = torch.randint(0, 256, (2, r, r, 3), dtype=torch.uint8, generator=g)
    gray = (image[1].float() @ torch.tensor([0.114, 0.587, 0.299])).round().clamp(0, 255).to(torch.uint8)
    template = torch.randint(0, 256, (2, r, r, 1), dtype=torch.uint8, generator=g)
    template[1, :, :, 0] = gray
    image[1, r // 3:r // 3 + 12, r // 2:r // 2 + 12] = 20
    with torch.no_grad():
        want = net(image, template).numpy()
    got = onnx_eval.run(model, {"image": image.numpy(), "template": template.numpy()})["anomaly_map"]
    if got.shape != want.shape or got.dtype != np.float32:
        raise RuntimeError(f"ONNX output {got.shape}/{got.dtype} != torch {want.shape}/float32")
    err = float(np.abs(got - want).max())
    print(f"verify: onnx graph vs torch max|diff| = {err:.2e}")
    if err > 1e-4:
        raise RuntimeError("exported graph does not reproduce the torch module within 1e-4")
    return err


def main(argv: Sequence[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    torch.set_num_threads(2)
    try:
        validate(a)
        net, _ = kinds.load_checkpoint(a.weights, "pairseg")
        levels = 1 << (len(net.widths) - 1)
        if a.input % levels:
            # each 2x2 max-pool halves the map; the decoder's skips line up only if R divides evenly
            raise kinds.ParamError(f"--input must be a multiple of {levels} for this net's {len(net.widths) - 1} max-pools; got {a.input}")
    except kinds.ParamError as e:
        print(f"export_pairseg: error: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        export_graph(net, a.input, raw)
        model = onnx_eval.fold_constants(onnx.load(raw))
    onnx_file.finish(model, a.out, "export_pairseg", kinds.PAIRSEG_CONTRACT, a.name, a.version, metadata(a, net), {"anomaly_map": (1, a.input, a.input)})
    if not a.skip_verify:
        verify(a.out, net, a.input)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB) sha256 {kinds.sha256_file(a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
