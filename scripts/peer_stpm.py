#!/usr/bin/python3
"""The lab's way of judging AOI pairs, as the peer EdgeAgent is compared against (scripts/peer.sh).

Python, OpenCV and PyTorch eager from Debian's packages, one pair at a time as the lab's scripts do:
cv2.imread both files, align the image to the template (OpenCV's ECC, Euclidean, on a 1/4 pyramid level
then full resolution: what a lab script would use), centre crop, the STPM teacher/student forward pass,
the score (domain.md: per-layer cosine distance, bilinear upsample, centre cut, weighted fusion, mask,
max). Same model weights as the agent: read from the agent's ONNX file (BN is folded into the convs
there, so each BN becomes the identity plus the folded bias). Prints pairs/s and the scores.

    /usr/bin/python3 scripts/peer_stpm.py --model models/default/stpm_r18_synth.onnx --pairs LIST.txt
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import cv2
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "export"))
import stpm  # noqa: E402


def backbones_from_onnx(path: str) -> tuple[stpm.TruncatedResNet, stpm.TruncatedResNet, dict]:
    model = onnx.load(path)
    meta = {p.key: p.value for p in model.metadata_props}
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    nets = []
    for role in ("teacher", "student"):
        net = stpm.TruncatedResNet(meta["edgeagent.arch"]).eval()
        modules = dict(net.named_modules())
        convs = [(n, m) for n, m in net.named_modules() if isinstance(m, torch.nn.Conv2d)]
        nodes = [n for n in model.graph.node if n.op_type == "Conv" and n.name.startswith(f"/{role}/")]
        if len(nodes) != len(convs):
            raise SystemExit(f"{path}: {len(nodes)} {role} convs in the graph, {len(convs)} in {meta['edgeagent.arch']}")
        for node, (name, conv) in zip(nodes, convs):
            scope = node.name.split("/")[-2]
            w = weights[node.input[1]]
            if not name.endswith(scope) or tuple(w.shape) != tuple(conv.weight.shape):
                raise SystemExit(f"{path}: graph conv {node.name} {w.shape} does not fit {name} {tuple(conv.weight.shape)}")
            bias = weights[node.input[2]] if len(node.input) > 2 else np.zeros(w.shape[0], np.float32)
            bn = modules[name[: -len("conv1")] + "bn1" if name.endswith("conv1") else
                         name[: -len("conv2")] + "bn2" if name.endswith("conv2") else name[:-1] + "1"]
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(w.copy()))
                bn.weight.fill_(1.0)
                bn.bias.copy_(torch.from_numpy(bias))
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
        nets.append(net)
    return nets[0], nets[1], meta


def align(image_bgr: np.ndarray, template_gray: np.ndarray) -> np.ndarray:
    """ECC (Euclidean) coarse to fine; the image warped onto the template's frame."""
    gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    warp = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-4)
    for scale in (0.25, 1.0):
        t = cv2.resize(template_gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else template_gray
        g = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        w = warp.copy()
        w[:, 2] *= scale
        try:
            _, w = cv2.findTransformECC(t, g, w, cv2.MOTION_EUCLIDEAN, criteria, None, 5)
        except cv2.error:
            pass  # keeps the last estimate, as a lab script would
        warp = w.copy()
        warp[:, 2] /= scale
    h, wd = template_gray.shape
    return cv2.warpAffine(image_bgr, warp, (wd, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)


def centre(a: np.ndarray, crop: int, size: int) -> np.ndarray:
    h, w = a.shape[:2]
    y, x = (h - crop) // 2, (w - crop) // 2
    c = a[y:y + crop, x:x + crop]
    return c if crop == size else cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA)


def golden_check(model_path: str, maps_module, weights, mask, crop: int, r: int) -> float | None:
    """Worst |score - golden score| over the golden pairs of this model, when the repository has them."""
    golden_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "golden", "golden.json")
    if not os.path.exists(golden_file):
        return None
    import json
    golden = json.load(open(golden_file, encoding="utf-8"))
    if golden["model_sha256"] != stpm.sha256_file(model_path):
        return None
    worst = 0.0
    for pair in golden["pairs"]:
        template = cv2.imread(os.path.join(os.path.dirname(golden_file), pair["template"]), cv2.IMREAD_GRAYSCALE)
        image = cv2.imread(os.path.join(os.path.dirname(golden_file), pair["image"]), cv2.IMREAD_COLOR)
        t = torch.from_numpy(np.ascontiguousarray(centre(template, crop, r)))[None, :, :, None]
        s = torch.from_numpy(np.ascontiguousarray(centre(image, crop, r)))[None]
        with torch.no_grad():
            maps = maps_module(t, s)[0]
        worst = max(worst, abs(float((mask * (weights * maps).sum(dim=0)).max()) - pair["score"]))
    return worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="the agent's ONNX model (weights and score parameters)")
    ap.add_argument("--pairs", required=True, help="text file: one image path per line, its template beside it")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    teacher, student, meta = backbones_from_onnx(a.model)
    crop, r, pad = int(meta["edgeagent.crop"]), int(meta["edgeagent.input"]), int(meta["edgeagent.pad"])
    maps_module = stpm.STPMMaps(teacher, student, r, pad).eval()
    weights = torch.tensor(stpm.parse_weights(meta["edgeagent.layer_weights"]), dtype=torch.float32).view(3, 1, 1)
    mask = torch.from_numpy(stpm.make_mask(stpm.parse_mask(meta["edgeagent.mask"]), r).astype(np.float32))
    threshold = float(meta["edgeagent.threshold"])
    images = [line.strip() for line in open(a.pairs, encoding="utf-8") if line.strip()]
    worst = golden_check(a.model, maps_module, weights, mask, crop, r)
    if worst is not None:
        print(f"weights check: the golden pairs' scores reproduced to {worst:.1e} (models/golden/golden.json)")

    def judge(image_path: str) -> float:
        template = cv2.imread(image_path.replace("_image.", "_template."), cv2.IMREAD_GRAYSCALE)
        image = cv2.imread(image_path, cv2.IMREAD_COLOR)
        aligned = align(image, template)
        t = torch.from_numpy(np.ascontiguousarray(centre(template, crop, r)))[None, :, :, None]
        s = torch.from_numpy(np.ascontiguousarray(centre(aligned, crop, r)))[None]
        with torch.no_grad():
            maps = maps_module(t, s)[0]
        return float((mask * (weights * maps).sum(dim=0)).max())

    for warm in images[:2]:
        judge(warm)
    start = time.perf_counter()
    scores = [judge(p) for p in images]
    elapsed = time.perf_counter() - start
    ng = sum(s >= threshold for s in scores)
    print(f"peer (python, opencv {cv2.__version__}, torch {torch.__version__} eager, {a.threads} threads, one pair at a time)")
    print(f"peer throughput   {len(images) / elapsed:8.1f} pairs/s   {len(images)} pairs in {elapsed:.1f} s, {ng} NG at threshold {threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
