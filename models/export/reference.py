"""Reference scorer, written straight from the score definition (domain.md, steps 2-10).

Deliberately does not reuse STPMMaps (the exported module): it decodes the files itself, works in
float64 by default, computes the norms by hand and builds the mask from the written rule. Its
numbers are the golden numbers that the C# agent (ONNX Runtime, float32) must match to 1e-3.

Step 1 (alignment) is the agent's job; the pairs scored here are already registered.

    /usr/bin/python3 models/export/reference.py --arch resnet18 --teacher T.pth --student S.pth \
        --crop 256 --input 256 --pad 16 --layer-weights 0.5,1,0.5 --mask gaussian:0.25 \
        TEMPLATE.png IMAGE.png
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stpm  # noqa: E402

MEAN = np.array([0.485, 0.456, 0.406])  # RGB
STD = np.array([0.229, 0.224, 0.225])


@dataclass
class PairScore:
    score: float
    layer_max: List[float]       # max over pixels of mask * d_l (unweighted)
    maps: np.ndarray             # 3 x R x R, d_1..d_3 after upsample + cut (step 7)


def read_template(path: str) -> np.ndarray:
    t = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if t is None:
        raise ValueError(f"cannot decode template {path}")
    if t.dtype != np.uint8:
        raise ValueError(f"template {path}: expected 8-bit, got {t.dtype}")
    if t.ndim == 3:
        # A gray template saved as 3 identical channels is still gray; anything else is not.
        if t.shape[2] not in (3, 4) or not (np.array_equal(t[..., 0], t[..., 1]) and np.array_equal(t[..., 0], t[..., 2])):
            raise ValueError(f"template {path}: expected gray, got {t.shape[2]} distinct channels")
        t = t[..., 0]
    return t


def read_image(path: str) -> np.ndarray:
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        raise ValueError(f"cannot decode image {path}")
    if im.dtype != np.uint8:
        raise ValueError(f"image {path}: expected 8-bit, got {im.dtype}")
    if im.ndim != 3 or im.shape[2] not in (3, 4):
        raise ValueError(f"image {path}: expected colour (BGR), got shape {im.shape}")
    return im[..., :3]  # BGR (alpha, if any, dropped)


def crop_resize(a: np.ndarray, crop: int, inp: int) -> np.ndarray:
    """Step 2: centred C x C window, top-left (floor((H-C)/2), floor((W-C)/2)); INTER_AREA to R if R != C."""
    h, w = a.shape[:2]
    if h < crop or w < crop:
        raise ValueError(f"{w}x{h} input is smaller than the crop {crop}")
    y0, x0 = (h - crop) // 2, (w - crop) // 2
    a = a[y0:y0 + crop, x0:x0 + crop]
    if inp != crop:
        a = cv2.resize(a, (inp, inp), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(a)


def to_input(rgb: np.ndarray, pad: int, dtype: torch.dtype) -> torch.Tensor:
    """Steps 3-4 on an R x R x 3 RGB uint8 array -> 1 x 3 x (R+2P) x (R+2P)."""
    x = (rgb.astype(np.float64) / 255.0 - MEAN) / STD
    t = torch.from_numpy(x.transpose(2, 0, 1)[None].copy()).to(dtype)
    return F.pad(t, (pad, pad, pad, pad), mode="reflect") if pad > 0 else t


class ReferenceScorer:
    def __init__(self, teacher: stpm.TruncatedResNet, student: stpm.TruncatedResNet,
                 params: stpm.ScoreParams, dtype: torch.dtype = torch.float64):
        self.teacher = teacher.eval().to(dtype)
        self.student = student.eval().to(dtype)
        self.p, self.dtype = params, dtype
        self.mask = stpm.make_mask(params.mask, params.input)

    @torch.no_grad()
    def score_arrays(self, template_gray: np.ndarray, image_bgr: np.ndarray) -> PairScore:
        p = self.p
        if template_gray.shape[:2] != image_bgr.shape[:2]:
            raise ValueError(f"template {template_gray.shape[:2]} and image {image_bgr.shape[:2]} differ in size")
        tg = crop_resize(template_gray, p.crop, p.input)            # step 2
        im = crop_resize(image_bgr, p.crop, p.input)
        t_rgb = np.repeat(tg[:, :, None], 3, axis=2)                # step 3: gray -> 3 channels
        i_rgb = im[:, :, ::-1]                                      # step 3: BGR -> RGB
        xt = to_input(t_rgb, p.pad, self.dtype)                     # steps 3-4
        xs = to_input(i_rgb, p.pad, self.dtype)
        ft, fs = self.teacher(xt), self.student(xs)                 # step 5
        size, r, pad = p.input + 2 * p.pad, p.input, p.pad
        maps = []
        for a, b in zip(ft, fs):                                    # step 6
            na = torch.sqrt((a * a).sum(dim=1, keepdim=True)).clamp_min(1e-12)
            nb = torch.sqrt((b * b).sum(dim=1, keepdim=True)).clamp_min(1e-12)
            d = 0.5 * ((a / na - b / nb) ** 2).sum(dim=1, keepdim=True)
            d = F.interpolate(d, size=(size, size), mode="bilinear", align_corners=False)  # step 7
            maps.append(d[0, 0, pad:pad + r, pad:pad + r].double().numpy())
        maps_a = np.stack(maps)                                     # 3 x R x R
        fused = sum(w * m for w, m in zip(p.layer_weights, maps_a))  # step 8
        score = float((self.mask * fused).max())                    # steps 9-10
        layer_max = [float((self.mask * m).max()) for m in maps_a]
        return PairScore(score, layer_max, maps_a)

    def score_files(self, template_path: str, image_path: str) -> PairScore:
        return self.score_arrays(read_template(template_path), read_image(image_path))


def average_precision(scores: Sequence[float], is_ng: Sequence[bool]) -> float:
    """NG average precision (area under the precision-recall curve, step-wise, sklearn's definition)."""
    s = np.asarray(scores, np.float64)
    y = np.asarray(is_ng, bool)
    if y.sum() == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    # distinct thresholds: last index of each run of equal scores
    idx = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[idx]
    fp = (idx + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / y.sum()
    recall_prev = np.r_[0.0, recall[:-1]]
    return float(np.sum((recall - recall_prev) * precision))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=stpm.ARCHS)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--student", required=True)
    ap.add_argument("--crop", type=int, required=True)
    ap.add_argument("--input", type=int, required=True)
    ap.add_argument("--pad", type=int, required=True)
    ap.add_argument("--layer-weights", required=True)
    ap.add_argument("--mask", required=True)
    ap.add_argument("--threshold", type=float, default=float("inf"))
    ap.add_argument("template")
    ap.add_argument("image")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    stpm.validate_geometry(a.crop, a.input, a.pad)
    params = stpm.ScoreParams(a.crop, a.input, a.pad, stpm.parse_weights(a.layer_weights),
                              stpm.parse_mask(a.mask), a.threshold)
    sc = ReferenceScorer(stpm.load_backbone(a.arch, a.teacher, "teacher"),
                         stpm.load_backbone(a.arch, a.student, "student"), params)
    r = sc.score_files(a.template, a.image)
    print(json.dumps({"score": r.score, "layer_max": r.layer_max,
                      "verdict": "NG" if r.score >= a.threshold else "OK"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
