"""Shared pieces of the EdgeAgent `pairseg` and `classifier` model kinds (/work/kinds-contract.md):
the exported modules (uint8 in, all pixel maths in the graph), the agent's decision rules written
out in numpy, parameter validation, metadata, data loading and the metrics the evaluations report.

Used by export_pairseg.py, export_classifier.py, ../train/train_pairseg.py, train_classifier.py,
../train/eval_kind.py and ../golden/make_golden_kinds.py. Keep in sync with the contract.
"""
from __future__ import annotations

import csv
import math
import os
from typing import Dict, List, Mapping, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import onnx_file
from onnx_file import fmt, sha256_file  # noqa: E402,F401  (shared by every exporter)

# The gray conversion of the contract, applied in the graph to the BGR image: 0.299 R + 0.587 G + 0.114 B.
GRAY_BGR = (0.114, 0.587, 0.299)
SEG_NORM = (0.518, 0.361)   # the seed's segmenter normalisation of x in [0, 1]
CLS_NORM = (0.823, 0.253)   # the seed's classifier normalisation
CLASSES = ("ok", "particle", "scratch", "missing", "extra", "stain", "patch")
DEFECT_CLASSES = CLASSES[1:]
PAIRSEG_CONTRACT = "pairseg-map/1"
CLASSIFIER_CONTRACT = "classifier-probs/1"


class ParamError(ValueError):
    """A model parameter (CLI flag or checkpoint) is invalid; the message says which and why."""


# --------------------------------------------------------------------------------------------
# In-graph preprocessing: uint8 NHWC -> normalised float NCHW
# --------------------------------------------------------------------------------------------
class GrayImage(nn.Module):
    """BGR uint8 [N,R,R,3] -> gray (x - mean)/std float [N,1,R,R]; the weighted sum is a 1x1 conv
    with fixed weights, so the graph stays Cast/Transpose/Conv (no per-channel Gather/Slice)."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        w = torch.tensor(GRAY_BGR, dtype=torch.float32).view(1, 3, 1, 1) / (255.0 * std)
        self.register_buffer("w", w)
        self.register_buffer("b", torch.tensor([-mean / std], dtype=torch.float32))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = image.permute(0, 3, 1, 2).float()
        return F.conv2d(x, self.w, self.b)


class GrayTemplate(nn.Module):
    """Gray uint8 [N,R,R,1] -> (x/255 - mean)/std float [N,1,R,R]."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.scale, self.shift = 1.0 / (255.0 * std), -mean / std

    def forward(self, template: torch.Tensor) -> torch.Tensor:
        return template.permute(0, 3, 1, 2).float() * self.scale + self.shift


def conv_bn(cin: int, cout: int, k: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


# --------------------------------------------------------------------------------------------
# pairseg: tiny VGG U-Net on gray image + template joined on channels
# --------------------------------------------------------------------------------------------
class PairSegNet(nn.Module):
    """The seed's pair segmenter, narrowed: gray image and gray template, both (x-0.518)/0.361,
    torch.cat on channels then a 1x1 conv; VGG-style encoder (two 3x3 conv-BN-ReLU per stage,
    2x2 max-pool between stages), decoder with bilinear 2x upsampling and skip concatenation;
    1-channel logit -> sigmoid. Fully convolutional: trained on windows, run on R x R."""

    def __init__(self, widths: Sequence[int] = (16, 32, 64, 128)):
        super().__init__()
        self.widths = tuple(int(w) for w in widths)
        w = self.widths
        self.image_in = GrayImage(*SEG_NORM)
        self.template_in = GrayTemplate(*SEG_NORM)
        self.join = nn.Sequential(nn.Conv2d(2, w[0], 1, bias=False), nn.BatchNorm2d(w[0]), nn.ReLU(inplace=True))
        self.enc = nn.ModuleList()
        cin = w[0]
        for cout in w:
            self.enc.append(nn.Sequential(conv_bn(cin, cout), conv_bn(cout, cout)))
            cin = cout
        self.dec = nn.ModuleList()
        for i in range(len(w) - 2, -1, -1):
            self.dec.append(nn.Sequential(conv_bn(cin + w[i], w[i]), conv_bn(w[i], w[i])))
            cin = w[i]
        self.head = nn.Conv2d(w[0], 1, 1)

    def features(self, image: torch.Tensor, template: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(last decoder features [N,w0,R,R], bottleneck [N,w3,R/8,R/8], logit map [N,1,R,R])."""
        x = self.join(torch.cat([self.image_in(image), self.template_in(template)], dim=1))
        skips = []
        for i, block in enumerate(self.enc):
            if i > 0:
                x = F.max_pool2d(x, 2)
            x = block(x)
            skips.append(x)
        bottleneck = x
        for block, skip in zip(self.dec, reversed(skips[:-1])):
            # Explicit sizes: torch exports Resize with `sizes`, which the numpy interpreter runs.
            x = F.interpolate(x, size=(int(skip.shape[2]), int(skip.shape[3])), mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return x, bottleneck, self.head(x)

    def logits(self, image: torch.Tensor, template: torch.Tensor) -> torch.Tensor:
        return self.features(image, template)[2]

    def forward(self, image: torch.Tensor, template: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(image, template))


# --------------------------------------------------------------------------------------------
# classifier: narrow VGG, five max-pools, global pooling, small FC, softmax
# --------------------------------------------------------------------------------------------
class ClassifierNet(nn.Module):
    """The seed's VGG-style classifier, narrowed: gray image (x-0.823)/0.253 [and, with
    use_template, the gray template normalised the same way, joined on channels]; five stages of
    3x3 conv-BN-ReLU + 2x2 max-pool, then a last conv, global pooling (instead of the seed's
    256*16*16 flatten, which alone would be 64 MB), FC -> hidden -> K, softmax. Global *max*
    pooling by default: a defect covers ~1 % of the crop, and an average over the crop dilutes it
    to nothing (with average pooling the loss stayed at ln 7 for the first 100 steps)."""

    def __init__(self, widths: Sequence[int] = (16, 32, 64, 128, 128), hidden: int = 64,
                 classes: Sequence[str] = CLASSES, use_template: bool = False, pool: str = "max"):
        super().__init__()
        self.widths, self.hidden, self.classes = tuple(int(w) for w in widths), int(hidden), tuple(classes)
        self.use_template = bool(use_template)
        if pool not in ("max", "avg"):
            raise ParamError(f"classifier pool must be max or avg; got {pool!r}")
        self.pool = pool
        self.image_in = GrayImage(*CLS_NORM)
        self.template_in = GrayTemplate(*CLS_NORM)
        layers: List[nn.Module] = []
        cin = 2 if use_template else 1
        for cout in self.widths:
            layers += [conv_bn(cin, cout), nn.MaxPool2d(2)]
            cin = cout
        layers.append(conv_bn(cin, cin))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Linear(cin, self.hidden), nn.ReLU(inplace=True), nn.Linear(self.hidden, len(self.classes)))

    def logits(self, image: torch.Tensor, template: torch.Tensor | None = None) -> torch.Tensor:
        x = self.image_in(image)
        if self.use_template:
            x = torch.cat([x, self.template_in(template)], dim=1)
        x = self.features(x)
        x = x.amax(dim=(2, 3)) if self.pool == "max" else x.mean(dim=(2, 3))
        return self.fc(x)

    def forward(self, image: torch.Tensor, template: torch.Tensor | None = None) -> torch.Tensor:
        return torch.softmax(self.logits(image, template), dim=1)


class SegHeadClassifierNet(nn.Module):
    """Defect classifier on top of a trained (frozen) PairSegNet: the segmenter's defect map tells
    where to look, its features what is there. Per pair: the probability-weighted max and mean of
    the last decoder features, the map's max logit and covered share, and the bottleneck's global
    max -> FC -> hidden -> K, softmax. Gray image + template in, (x-0.518)/0.361 (the segmenter's
    normalisation). Used instead of ClassifierNet where that one does not train in the time there is."""

    def __init__(self, seg: PairSegNet, hidden: int = 32, classes: Sequence[str] = CLASSES):
        super().__init__()
        self.seg, self.hidden, self.classes = seg, int(hidden), tuple(classes)
        self.widths, self.use_template, self.pool = seg.widths, True, "seg-head"
        n = 2 * seg.widths[0] + 2 + seg.widths[-1]
        self.fc = nn.Sequential(nn.Linear(n, self.hidden), nn.ReLU(inplace=True), nn.Linear(self.hidden, len(self.classes)))

    def pooled(self, image: torch.Tensor, template: torch.Tensor) -> torch.Tensor:
        x, bottleneck, logit = self.seg.features(image, template)
        p = torch.sigmoid(logit)
        weighted = x * p
        area = p.mean(dim=(2, 3))
        return torch.cat([weighted.amax(dim=(2, 3)), weighted.mean(dim=(2, 3)) / (area + 1e-3),
                          logit.amax(dim=(2, 3)), area * 100, bottleneck.amax(dim=(2, 3))], dim=1)

    def logits(self, image: torch.Tensor, template: torch.Tensor | None = None) -> torch.Tensor:
        return self.fc(self.pooled(image, template))

    def forward(self, image: torch.Tensor, template: torch.Tensor | None = None) -> torch.Tensor:
        return torch.softmax(self.logits(image, template), dim=1)


# --------------------------------------------------------------------------------------------
# checkpoints: {"kind", "config", "state_dict"}
# --------------------------------------------------------------------------------------------
def save_checkpoint(path: str, kind: str, config: dict, net: nn.Module) -> None:
    torch.save({"kind": kind, "config": config, "state_dict": net.state_dict()}, path)


def load_checkpoint(path: str, kind: str) -> Tuple[nn.Module, dict]:
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise ParamError(f"--weights not found: {path}") from None
    except Exception as e:  # noqa: BLE001 - any unpickling failure is a bad file
        raise ParamError(f"cannot read --weights {path}: {e}") from None
    if not isinstance(obj, Mapping) or obj.get("kind") != kind or "state_dict" not in obj:
        raise ParamError(f"{path}: expected a {kind} checkpoint {{kind, config, state_dict}} as train_{kind}.py writes")
    cfg = dict(obj.get("config", {}))
    if kind == "pairseg":
        net: nn.Module = PairSegNet(cfg.get("widths", (16, 32, 64, 128)))
    elif cfg.get("arch") == "seg-head":
        net = SegHeadClassifierNet(PairSegNet(cfg["widths"]), cfg.get("hidden", 32), cfg.get("classes", CLASSES))
    else:
        net = ClassifierNet(cfg.get("widths", (16, 32, 64, 128, 128)), cfg.get("hidden", 64),
                            cfg.get("classes", CLASSES), cfg.get("use_template", False), cfg.get("pool", "max"))
    sd = obj["state_dict"]
    own = net.state_dict()
    missing = sorted(set(own) - set(sd) - {k for k in own if k.endswith("num_batches_tracked")})
    unexpected = sorted(set(sd) - set(own))
    wrong = sorted(k for k in own if k in sd and tuple(sd[k].shape) != tuple(own[k].shape))
    if missing or unexpected or wrong:
        raise ParamError(f"{path}: state_dict does not fit the {kind} net: missing {missing[:5]}, "
                         f"unexpected {unexpected[:5]}, wrong shape {wrong[:5]}")
    bad = [k for k, v in sd.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise ParamError(f"{path}: non-finite values in {bad[:5]}")
    net.load_state_dict(sd, strict=False)
    return net.eval(), cfg


# --------------------------------------------------------------------------------------------
# validation shared by the exporters
# --------------------------------------------------------------------------------------------
def validate_common(crop: int, inp: int, threshold: float, name: str, version: str, out: str) -> None:
    if not 32 <= crop <= 4096:
        raise ParamError(f"--crop must lie in [32, 4096]; got {crop}")
    if not 32 <= inp <= crop:
        raise ParamError(f"--input must lie in [32, crop={crop}]; got {inp}")
    if not math.isfinite(threshold) or threshold <= 0:
        raise ParamError(f"--threshold must be finite and > 0; got {threshold}")
    onnx_file.check_identity(name, version, out, ParamError)


# --------------------------------------------------------------------------------------------
# the agent's side: crop rule and decision rules
# --------------------------------------------------------------------------------------------
def crop_resize(a: np.ndarray, crop: int, inp: int) -> np.ndarray:
    """Centred C x C window, top-left (floor((H-C)/2), floor((W-C)/2)); INTER_AREA to R if R != C."""
    h, w = a.shape[:2]
    if h < crop or w < crop:
        raise ValueError(f"{w}x{h} input is smaller than the crop {crop}")
    y0, x0 = (h - crop) // 2, (w - crop) // 2
    a = a[y0:y0 + crop, x0:x0 + crop]
    if inp != crop:
        a = cv2.resize(a, (inp, inp), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(a)


def crop_mask(mask: np.ndarray, crop: int, inp: int) -> np.ndarray:
    """The generator's 0/255 mask cropped like the pair; after INTER_AREA a pixel is defect iff >= 128."""
    return crop_resize(mask, crop, inp) >= 128


def paste_pseudo_defect(rng: np.random.Generator, image: np.ndarray, centre: Tuple[int, int], side: int,
                        kind: str, min_change: int = 16) -> Tuple[np.ndarray, np.ndarray]:
    """A canary-like defect pasted into a copy of a BGR crop (the agent's canary, CanaryDefects.cs, pastes
    the same two kinds near the centre): `cutpaste` = a side x side square of the same image taken 0.2-0.45
    of the crop away in a random direction, flipped (both axes mostly, like the canary; else one or a
    90 degree turn), pasted centred at `centre` (y, x); `noise` = a disc of diameter `side` of uniform
    0..255 noise per channel (sometimes a narrower band around the local mean). Returns (image, mask):
    mask = the pixels the paste changed by >= min_change grey levels on some channel (closed 5x5, so a
    texture's flat gaps inside the patch count), within the square / disc. Used as training targets only."""
    h, w = image.shape[:2]
    out = image.copy()
    y0 = int(np.clip(centre[0] - side // 2, 0, h - side))
    x0 = int(np.clip(centre[1] - side // 2, 0, w - side))
    shape = np.zeros((side, side), np.uint8)
    if kind == "cutpaste":
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(0.2, 0.45) * min(h, w)
        sy = int(np.clip(y0 + dist * np.sin(ang), 0, h - side))
        sx = int(np.clip(x0 + dist * np.cos(ang), 0, w - side))
        patch = image[sy:sy + side, sx:sx + side]
        r = rng.random()
        patch = patch[::-1, ::-1] if r < 0.6 else patch[::-1] if r < 0.75 else patch[:, ::-1] if r < 0.9 else np.rot90(patch)
        out[y0:y0 + side, x0:x0 + side] = patch
        shape[:] = 1
    elif kind == "noise":
        cv2.circle(shape, (side // 2, side // 2), side // 2, 1, -1)
        if rng.random() < 0.7:
            noise = rng.integers(0, 256, (side, side, 3))
        else:
            mean = image[y0:y0 + side, x0:x0 + side].reshape(-1, 3).mean(0)
            half = rng.uniform(40, 128)
            noise = np.clip(mean + rng.uniform(-half, half, (side, side, 3)), 0, 255)
        region = out[y0:y0 + side, x0:x0 + side]
        region[shape > 0] = noise.astype(np.uint8)[shape > 0]
    else:
        raise ValueError(f"unknown pseudo-defect kind {kind!r}")
    changed = (np.abs(out.astype(np.int16) - image.astype(np.int16)).max(axis=2) >= min_change).astype(np.uint8)
    changed = cv2.morphologyEx(changed, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    mask = np.zeros((h, w), bool)
    mask[y0:y0 + side, x0:x0 + side] = (changed[y0:y0 + side, x0:x0 + side] > 0) & (shape > 0)
    return out, mask


def pairseg_decision(prob: np.ndarray, threshold: float, min_area: int) -> Tuple[float, List[dict], np.ndarray]:
    """Contract rule: regions = 8-connected components of {p >= t}; regions with area < A are specks;
    score = max of the map after the specks' pixels are set to 0. Returns (score, regions, map)."""
    p = np.asarray(prob, np.float64)
    on = (p >= threshold).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(on, connectivity=8)
    cleaned = p.copy()
    regions = []
    for k in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[k])
        sel = lab == k
        if area < min_area:
            cleaned[sel] = 0.0
            continue
        regions.append({"x": x, "y": y, "w": w, "h": h, "area": area, "max": float(p[sel].max())})
    regions.sort(key=lambda r: -r["max"])
    return float(cleaned.max()), regions, cleaned


def largest_region(prob: np.ndarray, threshold: float) -> int:
    on = (np.asarray(prob) >= threshold).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(on, connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if n > 1 else 0


def classifier_score(probs: np.ndarray, classes: Sequence[str], defect_classes: Sequence[str]) -> float:
    """Contract rule: score = sum of p_k over the defect classes."""
    return float(sum(float(probs[list(classes).index(c)]) for c in defect_classes))


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    union = np.logical_or(pred, truth).sum()
    return float(np.logical_and(pred, truth).sum() / union) if union else 1.0


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------
def read_labels(root: str, label: str | None = None) -> List[dict]:
    path = os.path.join(root, "labels.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    need = {"product", "id", "image", "template", "label", "defect"}
    if rows and not need <= set(rows[0]):
        raise ValueError(f"{path}: header lacks {sorted(need - set(rows[0]))}")
    return [r for r in rows if label is None or r["label"] == label]


def read_pair(root: str, row: dict) -> Tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(template gray HxW, image BGR HxWx3, mask HxW uint8 or None) of one labels.csv row."""
    t = cv2.imread(os.path.join(root, row["template"]), cv2.IMREAD_GRAYSCALE)
    im = cv2.imread(os.path.join(root, row["image"]), cv2.IMREAD_COLOR)
    if t is None or im is None:
        raise ValueError(f"{row['id']}: cannot decode the pair in {root}")
    m = None
    if row.get("mask"):
        m = cv2.imread(os.path.join(root, row["mask"]), cv2.IMREAD_GRAYSCALE)
        if m is None or m.shape != t.shape:
            raise ValueError(f"{row['id']}: mask missing or not the template's size")
    return t, im, m


# --------------------------------------------------------------------------------------------
# metrics (same definitions for every kind's eval CSV/JSON)
# --------------------------------------------------------------------------------------------
def average_precision(scores: Sequence[float], is_ng: Sequence[bool]) -> float:
    """NG average precision (step-wise area under precision-recall, sklearn's definition; ties grouped)."""
    s = np.asarray(scores, np.float64)
    y = np.asarray(is_ng, bool)
    if y.sum() == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    idx = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[idx]
    fp = (idx + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / y.sum()
    return float(np.sum((recall - np.r_[0.0, recall[:-1]]) * precision))


def recall_at_overkill(scores: Sequence[float], is_ng: Sequence[bool], overkill: float = 0.01) -> Tuple[float, float]:
    """NG recall at the threshold = the smallest score above (1 - overkill) of the OK scores, i.e. the
    smallest distinct score s with #{OK >= s} <= overkill * #OK. Returns (recall, that threshold)."""
    s = np.asarray(scores, np.float64)
    y = np.asarray(is_ng, bool)
    ok = np.sort(s[~y])
    allowed = int(math.floor(overkill * len(ok) + 1e-9))
    # the (allowed+1)-th largest OK score must be strictly below the threshold
    bar = ok[len(ok) - allowed - 1] if allowed < len(ok) else -np.inf
    above = np.unique(s[s > bar])
    th = float(above[0]) if len(above) else float("inf")
    return float((s[y] >= th).mean()) if y.any() else float("nan"), th


def summary(rows: List[dict], threshold: float) -> dict:
    """rows: {label, defect, score, iou?} -> the figures every kind's eval JSON carries."""
    sc = [r["score"] for r in rows]
    ng = [r["label"] == "NG" for r in rows]
    rec1, th1 = recall_at_overkill(sc, ng, 0.01)
    ngr = [r for r in rows if r["label"] == "NG"]
    okr = [r for r in rows if r["label"] == "OK"]
    kinds = sorted({r["defect"] for r in ngr})
    ious = [r["iou"] for r in ngr if r.get("iou") is not None]
    return {
        "pairs": len(rows), "ng": len(ngr), "ok": len(okr),
        "ap_ng": average_precision(sc, ng),
        "recall_at_1pct_overkill": rec1, "threshold_at_1pct_overkill": th1,
        "recall_ng": sum(r["score"] >= threshold for r in ngr) / max(len(ngr), 1),
        "overkill": sum(r["score"] >= threshold for r in okr) / max(len(okr), 1),
        "recall_by_kind": {k: round(sum(r["score"] >= threshold for r in ngr if r["defect"] == k) /
                                    max(sum(r["defect"] == k for r in ngr), 1), 3) for k in kinds},
        "mean_iou": float(np.mean(ious)) if ious else None,
        "iou_by_kind": {k: round(float(np.mean([r["iou"] for r in ngr if r["defect"] == k])), 3) for k in kinds} if ious else None,
    }


def write_eval_csv(path: str, rows: List[dict], threshold: float) -> None:
    """Header id,label,defect,score,threshold,verdict,iou (iou empty where not defined)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "label", "defect", "score", "threshold", "verdict", "iou"])
        for r in rows:
            w.writerow([r["id"], r["label"], r["defect"], repr(float(r["score"])), fmt(threshold),
                        "NG" if r["score"] >= threshold else "OK", "" if r.get("iou") is None else f"{r['iou']:.6f}"])
