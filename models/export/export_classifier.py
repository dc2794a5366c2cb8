"""Export a trained defect classifier to the EdgeAgent ONNX contract "classifier-probs/1".

    /usr/bin/python3 models/export/export_classifier.py --weights classifier.pth \
        --crop 256 --input 128 --threshold 0.9 --name N --version V --out model.onnx \
        [--defect-classes particle,scratch,...] [--description TEXT] [--skip-verify]

Graph: image uint8 [batch,R,R,3] (BGR) [+ template uint8 [batch,R,R,1], only if the net was trained
with --use-template] -> class_probs float32 [batch,K] (softmax in the graph).
In the graph: gray = 0.299 R + 0.587 G + 0.114 B, x/255, (x - 0.823)/0.253; five conv-BN-ReLU +
max-pool stages, a last conv, global max pooling, FC, softmax. The agent crops (centre C,
INTER_AREA to R) and applies the decision rule (score = sum of p_k over the defect classes,
NG iff score >= t). Classes and defect classes travel in the metadata. See models/README.md.
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
    ap.add_argument("--weights", required=True, help="checkpoint written by models/train/train_classifier.py")
    ap.add_argument("--crop", type=int, required=True, help="C: centre crop size the agent takes")
    ap.add_argument("--input", type=int, required=True, help="R: model input size (INTER_AREA from C if R != C)")
    ap.add_argument("--threshold", type=float, required=True, help="t: NG iff the defect classes' probabilities sum to >= t")
    ap.add_argument("--defect-classes", default="", help="comma list of the classes that mean NG [default: every class but ok]")
    ap.add_argument("--name", required=True, help="model name, [A-Za-z0-9._-], <= 64 chars")
    ap.add_argument("--version", required=True, help="semantic version, e.g. 1.0.0")
    ap.add_argument("--description", default="", help="free text stored in edgeagent.description")
    ap.add_argument("--out", required=True, help="output .onnx path")
    ap.add_argument("--skip-verify", action="store_true", help="skip the graph-vs-torch check (not recommended)")
    return ap


def validate(a: argparse.Namespace) -> None:
    kinds.validate_common(a.crop, a.input, a.threshold, a.name, a.version, a.out)
    if a.threshold >= 1:
        raise kinds.ParamError(f"--threshold is a sum of probabilities: it must lie in (0, 1); got {a.threshold}")


def defect_classes(a: argparse.Namespace, net: kinds.ClassifierNet) -> list:
    if not a.defect_classes:
        return [c for c in net.classes if c != "ok"]
    chosen = [c.strip() for c in a.defect_classes.split(",")]
    unknown = [c for c in chosen if c not in net.classes]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise kinds.ParamError(f"--defect-classes must be a non-empty list of distinct classes of the net "
                               f"({','.join(net.classes)}); got {a.defect_classes!r}")
    return [c for c in net.classes if c in chosen]   # in output order


def metadata(a: argparse.Namespace, net: kinds.ClassifierNet, defect: list) -> dict:
    widths = "-".join(str(w) for w in net.widths)
    inputs = "gray image + gray template" if net.use_template else "gray image"
    seg_head = isinstance(net, kinds.SegHeadClassifierNet)
    norm = kinds.SEG_NORM if seg_head else kinds.CLS_NORM
    return {
        "edgeagent.contract": kinds.CLASSIFIER_CONTRACT,
        "edgeagent.kind": "classifier",
        "edgeagent.name": a.name,
        "edgeagent.version": a.version,
        "edgeagent.arch": (f"seg-head-unet-vgg-{widths}-fc{net.hidden}" if seg_head else
                           f"vgg-{widths}-g{net.pool}-fc{net.hidden}" + ("-with-template" if net.use_template else "")),
        "edgeagent.crop": str(a.crop),
        "edgeagent.input": str(a.input),
        "edgeagent.normalisation": f"gray:(x-{kinds.fmt(norm[0])})/{kinds.fmt(norm[1])}",
        "edgeagent.threshold": kinds.fmt(a.threshold),
        "edgeagent.classes": ",".join(net.classes),
        "edgeagent.defect_classes": ",".join(defect),
        "edgeagent.created_utc": onnx_file.created_utc(),
        "edgeagent.weights_sha256": kinds.sha256_file(a.weights),
        "edgeagent.description": a.description or (
            f"defect classifier: a {net.hidden}-unit head on the frozen features of a pair segmentation U-Net (VGG {widths}) "
            f"on the gray image + gray template; output class_probs over {','.join(net.classes)}; contract {kinds.CLASSIFIER_CONTRACT}"
            if seg_head else
            f"defect classifier (VGG {widths}, five max-pools, global {'max' if net.pool == 'max' else 'average'} pooling) on the {inputs}; "
            f"output class_probs over {','.join(net.classes)}; contract {kinds.CLASSIFIER_CONTRACT}"),
    }


def export_graph(net: kinds.ClassifierNet, r: int, path: str) -> None:
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    image = torch.zeros(2, r, r, 3, dtype=torch.uint8)
    # The graph declares `template` only when the net uses it (the agent binds exactly the declared inputs).
    args, names = ((image, torch.zeros(2, r, r, 1, dtype=torch.uint8)), ["image", "template"]) if net.use_template \
        else ((image,), ["image"])
    torch.onnx.export(
        net, args, path, opset_version=OPSET, do_constant_folding=True,
        training=torch.onnx.TrainingMode.EVAL,  # BN folded into conv
        input_names=names, output_names=["class_probs"],
        dynamic_axes={n: {0: "batch"} for n in names + ["class_probs"]})


def verify(path: str, net: kinds.ClassifierNet, r: int) -> float:
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
    feeds = {"image": image.numpy()} | ({"template": template.numpy()} if net.use_template else {})
    if sorted(i.name for i in model.graph.input) != sorted(feeds):
        raise RuntimeError(f"graph inputs {[i.name for i in model.graph.input]} != {sorted(feeds)}")
    got = onnx_eval.run(model, feeds)["class_probs"]
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
        net, _ = kinds.load_checkpoint(a.weights, "classifier")
        pools = len(net.widths) - 1 if isinstance(net, kinds.SegHeadClassifierNet) else len(net.widths)
        levels = 1 << pools
        if a.input % levels:
            # a remainder would be cropped silently at every 2x2 max-pool (and break the U-Net's skips)
            raise kinds.ParamError(f"--input must be a multiple of {levels} for this net's {pools} max-pools; got {a.input}")
        defect = defect_classes(a, net)
    except kinds.ParamError as e:
        print(f"export_classifier: error: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.onnx")
        export_graph(net, a.input, raw)
        model = onnx_eval.fold_constants(onnx.load(raw))
    onnx_file.finish(model, a.out, "export_classifier", kinds.CLASSIFIER_CONTRACT, a.name, a.version, metadata(a, net, defect), {"class_probs": (len(net.classes),)})
    if not a.skip_verify:
        verify(a.out, net, a.input)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB) sha256 {kinds.sha256_file(a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
