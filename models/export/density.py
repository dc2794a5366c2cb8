"""Shared pieces of the EdgeAgent "density" kind (CutPaste-style): a narrow ResNet-18-style encoder
with an MLP head (trained self-supervised, normal / cut-paste / scar), the Gaussian fit
(Ledoit-Wolf shrinkage) and the module exported to ONNX (contract "density-score/1").

Used by export_density.py, ../train/train_density.py, ../train/eval_density.py and
../golden/make_golden_density.py. The contract is /work/kinds-contract.md; models/README.md
("Density (CutPaste)") documents it.

Exported graph: image uint8 [N,R,R,3] (BGR, HWC)
  -> BGR->RGB, x/255, NCHW, then either ImageNet mean/std (norm "imagenet") or per-image,
     per-channel standardisation (norm "image": (x - mean_c)/sqrt(var_c + 1e-4) over the crop)
  -> encoder (stem + 4 stages of 2 BasicBlocks, widths W1..W4, stride 32)
  -> anomaly_map = sqrt((f-mu_p)^T Sinv_p (f-mu_p)) per position f of the stage-3 feature map, against
                   a Gaussian (mu_p, Sinv_p) fitted on all positions of normal images   [N,1,R/16,R/16]
  -> score       = score_from "image": sqrt((e-mu)^T Sinv (e-mu)), e = global average pool of the last
                   stage; score_from "map": the maximum of anomaly_map                   [N,1]
The agent only crops (and INTER_AREA-resizes) the image; score >= threshold means NG.
norm and score_from are stored in the Gaussian .npz (train_density.py writes them; files without
them mean "imagenet" / "image", the first bundled model).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Mapping, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from onnx_file import fmt, sha256_file  # noqa: E402,F401  (shared by every exporter)

CONTRACT = "density-score/1"
KIND = "density"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CLASSES = ("normal", "cutpaste", "scar")
DEFAULT_WIDTHS = (16, 32, 64, 128)
NORMS = ("imagenet", "image")
SCORE_FROM = ("image", "map")
IMAGE_NORM_EPS = 1e-4   # variance floor of the per-image standardisation (std floor 0.01 of [0,1])


class ParamError(ValueError):
    """A model parameter (CLI flag, checkpoint, Gaussian file) is invalid; message says which and why."""


# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + idt)


class Encoder(nn.Module):
    """ResNet-18 layout (7x7/2 stem, 3x3/2 max-pool, 4 stages x 2 BasicBlocks, strides 1,2,2,2)
    with narrow widths. forward returns (stage-3 map, stage-4 map)."""

    def __init__(self, widths: Sequence[int] = DEFAULT_WIDTHS):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.widths = tuple(int(w) for w in widths)
        self.conv1 = nn.Conv2d(3, w1, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w1)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(w1, w1, 1), BasicBlock(w1, w1, 1))
        self.layer2 = nn.Sequential(BasicBlock(w1, w2, 2), BasicBlock(w2, w2, 1))
        self.layer3 = nn.Sequential(BasicBlock(w2, w3, 2), BasicBlock(w3, w3, 1))
        self.layer4 = nn.Sequential(BasicBlock(w3, w4, 2), BasicBlock(w4, w4, 1))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        f3 = self.layer3(self.layer2(self.layer1(x)))
        return f3, self.layer4(f3)


class CutPasteNet(nn.Module):
    """Encoder + MLP head (W4 -> 128 -> 128 -> 3 classes); the embedding is the pooled stage-4 map."""

    def __init__(self, widths: Sequence[int] = DEFAULT_WIDTHS, head: int = 128):
        super().__init__()
        self.encoder = Encoder(widths)
        w4 = self.encoder.widths[3]
        # Localisation head of the pretext task (training only, not exported): 1x1 conv on the
        # stage-3 map, "is this position inside a pasted patch".
        self.seg = nn.Conv2d(self.encoder.widths[2], 1, 1)
        self.head = nn.Sequential(nn.Linear(w4, head), nn.BatchNorm1d(head), nn.ReLU(inplace=True),
                                  nn.Linear(head, head), nn.BatchNorm1d(head), nn.ReLU(inplace=True),
                                  nn.Linear(head, len(CLASSES)))

    def embed(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        f3, f4 = self.encoder(x)
        return f4.mean(dim=(2, 3)), f3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x)[0])

    def forward_all(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(class logits [N,3], pasted-position logits [N,1,h3,w3])."""
        e, f3 = self.embed(x)
        return self.head(e), self.seg(f3)


def normalise(x: torch.Tensor, norm: str, mean: torch.Tensor | None = None, std: torch.Tensor | None = None) -> torch.Tensor:
    """x: float RGB [N,3,H,W] in [0,1]. "imagenet": (x - mean)/std; "image": per image and channel,
    (x - mean_c)/sqrt(var_c + IMAGE_NORM_EPS) over H, W (removes the palette/brightness of the crop)."""
    if norm == "imagenet":
        if mean is None:
            mean = torch.tensor(IMAGENET_MEAN, dtype=x.dtype).view(1, 3, 1, 1)
            std = torch.tensor(IMAGENET_STD, dtype=x.dtype).view(1, 3, 1, 1)
        return (x - mean) / std
    if norm == "image":
        m = x.mean(dim=(2, 3), keepdim=True)
        c = x - m
        v = (c * c).mean(dim=(2, 3), keepdim=True)
        return c / torch.sqrt(v + IMAGE_NORM_EPS)
    raise ParamError(f"unknown normalisation {norm!r} (one of {NORMS})")


def preprocess(image_bgr_u8: torch.Tensor, norm: str = "imagenet") -> torch.Tensor:
    """uint8 [N,R,R,3] BGR HWC -> float [N,3,R,R] RGB, normalised (see normalise)."""
    x = image_bgr_u8.permute(0, 3, 1, 2).flip(1).float() / 255.0
    return normalise(x, norm)


# --------------------------------------------------------------------------------------------
# Gaussian (mu, Sigma) with Ledoit-Wolf shrinkage
# --------------------------------------------------------------------------------------------
def ledoit_wolf(x: np.ndarray) -> Tuple[np.ndarray, np.ndarray, float]:
    """Ledoit & Wolf (2004) shrinkage towards mu_t*I, the estimator sklearn.covariance.LedoitWolf
    computes (centred data, 1/n normalisation). Returns (mean, shrunk covariance, shrinkage)."""
    x = np.asarray(x, np.float64)
    n, p = x.shape
    mu = x.mean(axis=0)
    xc = x - mu
    s = xc.T @ xc / n
    m = np.trace(s) / p
    x2 = xc ** 2
    beta_ = np.sum((x2.T @ x2) / n - s ** 2) / n  # sum over samples of ||x x^T - S||_F^2 / n^2
    delta_ = np.sum((s - m * np.eye(p)) ** 2)
    beta = min(beta_, delta_)
    shrink = 0.0 if delta_ == 0 else beta / delta_
    return mu, (1.0 - shrink) * s + shrink * m * np.eye(p), float(shrink)


@dataclass
class Gaussian:
    mean: np.ndarray        # [C] float64
    inv_cov: np.ndarray     # [C,C] float64, symmetric positive definite
    shrinkage: float
    n: int

    def distance(self, e: np.ndarray) -> np.ndarray:
        d = np.asarray(e, np.float64) - self.mean
        return np.sqrt(np.maximum(np.einsum("...i,ij,...j->...", d, self.inv_cov, d), 0.0))


def fit_gaussian(x: np.ndarray) -> Gaussian:
    mu, cov, shrink = ledoit_wolf(x)
    inv = np.linalg.inv(cov)
    inv = 0.5 * (inv + inv.T)
    return Gaussian(mu, inv, shrink, int(x.shape[0]))


def save_gaussians(path: str, image: Gaussian, patch: Gaussian | None, norm: str = "imagenet",
                   score_from: str = "image") -> None:
    arrs = {"mean": image.mean, "inv_cov": image.inv_cov, "shrinkage": np.float64(image.shrinkage),
            "n": np.int64(image.n), "norm": np.array(norm), "score_from": np.array(score_from)}
    if patch is not None:
        arrs.update({"patch_mean": patch.mean, "patch_inv_cov": patch.inv_cov,
                     "patch_shrinkage": np.float64(patch.shrinkage), "patch_n": np.int64(patch.n)})
    np.savez(path, **arrs)


def load_gaussians(path: str, c_img: int, c_patch: int) -> Tuple[Gaussian, Gaussian | None]:
    try:
        z = np.load(path)
    except FileNotFoundError:
        raise ParamError(f"--gaussian file not found: {path}") from None
    except Exception as e:  # noqa: BLE001 - any read failure is a bad file
        raise ParamError(f"cannot read --gaussian {path}: {e}") from None

    def one(prefix: str, c: int) -> Gaussian:
        for k in ("mean", "inv_cov"):
            if prefix + k not in z:
                raise ParamError(f"--gaussian {path}: missing array '{prefix + k}'")
        mu, inv = np.asarray(z[prefix + "mean"], np.float64), np.asarray(z[prefix + "inv_cov"], np.float64)
        if mu.shape != (c,) or inv.shape != (c, c):
            raise ParamError(f"--gaussian {path}: '{prefix}mean' {mu.shape} / '{prefix}inv_cov' {inv.shape} "
                             f"do not fit the encoder's {c}-channel embedding")
        if not (np.isfinite(mu).all() and np.isfinite(inv).all()):
            raise ParamError(f"--gaussian {path}: non-finite values in '{prefix}mean' or '{prefix}inv_cov'")
        if np.abs(inv - inv.T).max() > 1e-6 * max(1.0, np.abs(inv).max()):
            raise ParamError(f"--gaussian {path}: '{prefix}inv_cov' is not symmetric")
        if np.linalg.eigvalsh(inv).min() <= 0:
            raise ParamError(f"--gaussian {path}: '{prefix}inv_cov' is not positive definite")
        sh = float(z[prefix + "shrinkage"]) if prefix + "shrinkage" in z else float("nan")
        n = int(z[prefix + "n"]) if prefix + "n" in z else 0
        return Gaussian(mu, 0.5 * (inv + inv.T), sh, n)

    img = one("", c_img)
    patch = one("patch_", c_patch) if "patch_mean" in z else None
    return img, patch


def load_config(path: str) -> Dict[str, str]:
    """How the score is computed, as stored in the Gaussian .npz by train_density.py:
    {"norm": "imagenet"|"image", "score_from": "image"|"map"} (absent keys: the first model's
    "imagenet" / "image")."""
    try:
        z = np.load(path)
    except Exception as e:  # noqa: BLE001
        raise ParamError(f"cannot read --gaussian {path}: {e}") from None
    cfg = {"norm": str(z["norm"]) if "norm" in z else "imagenet",
           "score_from": str(z["score_from"]) if "score_from" in z else "image"}
    if cfg["norm"] not in NORMS:
        raise ParamError(f"--gaussian {path}: norm {cfg['norm']!r} is not one of {NORMS}")
    if cfg["score_from"] not in SCORE_FROM:
        raise ParamError(f"--gaussian {path}: score_from {cfg['score_from']!r} is not one of {SCORE_FROM}")
    if cfg["score_from"] == "map" and "patch_mean" not in z:
        raise ParamError(f"--gaussian {path}: score_from 'map' needs patch_mean/patch_inv_cov")
    return cfg


def build_module(weights: str, gaussian: str, with_map: bool = True, score_from: str | None = None) -> "DensityScore":
    """Encoder + Gaussians + config -> the exported module (with_map: output the anomaly_map too)."""
    enc = load_encoder(weights)
    g_img, g_patch = load_gaussians(gaussian, enc.widths[3], enc.widths[2])
    cfg = load_config(gaussian)
    sf = score_from or cfg["score_from"]
    if (with_map or sf == "map") and g_patch is None:
        raise ParamError(f"--gaussian {gaussian} has no patch_mean/patch_inv_cov: add --no-map or refit")
    return DensityScore(enc, g_img, g_patch, norm=cfg["norm"], score_from=sf, output_map=with_map).eval()


# --------------------------------------------------------------------------------------------
# Exported module
# --------------------------------------------------------------------------------------------
class DensityScore(nn.Module):
    """The module exported to ONNX: image uint8 -> score [N,1] (+ anomaly_map [N,1,h,w] if output_map).
    score_from "image": the pooled embedding's distance; "map": the maximum of the patch map."""

    def __init__(self, encoder: Encoder, image: Gaussian, patch: Gaussian | None, norm: str = "imagenet",
                 score_from: str = "image", output_map: bool | None = None):
        super().__init__()
        if norm not in NORMS or score_from not in SCORE_FROM:
            raise ParamError(f"norm {norm!r} / score_from {score_from!r} unknown")
        if score_from == "map" and patch is None:
            raise ParamError("score_from 'map' needs the patch Gaussian")
        self.norm, self.score_from = norm, score_from
        self.encoder = encoder.eval()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("mu", torch.tensor(image.mean, dtype=torch.float32).view(1, -1))
        self.register_buffer("inv_cov", torch.tensor(image.inv_cov, dtype=torch.float32))
        self.with_map = (patch is not None) if output_map is None else bool(output_map)
        if self.with_map and patch is None:
            raise ParamError("output_map needs the patch Gaussian")
        self.has_patch = patch is not None
        if patch is not None:
            c = patch.mean.shape[0]
            self.register_buffer("mu_p", torch.tensor(patch.mean, dtype=torch.float32).view(1, c, 1, 1))
            self.register_buffer("inv_cov_p", torch.tensor(patch.inv_cov, dtype=torch.float32).view(c, c, 1, 1))

    def forward(self, image: torch.Tensor):
        x = image.permute(0, 3, 1, 2).flip(1).to(self.mean.dtype) / 255.0   # BGR HWC -> RGB CHW, [0,1]
        x = normalise(x, self.norm, self.mean, self.std)
        f3, f4 = self.encoder(x)
        amap = None
        if self.has_patch and (self.with_map or self.score_from == "map"):
            dp = f3 - self.mu_p                                            # [N,C,h,w]
            qp = (nn.functional.conv2d(dp, self.inv_cov_p) * dp).sum(dim=1, keepdim=True)
            amap = torch.sqrt(torch.clamp(qp, min=0.0))
        if self.score_from == "map":
            score = torch.amax(amap, dim=(2, 3))                           # [N,1]
        else:
            d = f4.mean(dim=(2, 3)) - self.mu                              # [N,C]
            q = (torch.matmul(d, self.inv_cov) * d).sum(dim=1, keepdim=True)  # (e-mu)^T Sinv (e-mu)
            score = torch.sqrt(torch.clamp(q, min=0.0))
        if not self.with_map:
            return score
        return score, amap


# --------------------------------------------------------------------------------------------
# Checkpoints and small helpers
# --------------------------------------------------------------------------------------------
def load_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise ParamError(f"checkpoint not found: {path}") from None
    except Exception as e:  # noqa: BLE001
        raise ParamError(f"cannot read checkpoint {path}: {e}") from None
    if isinstance(obj, Mapping) and "state_dict" in obj and isinstance(obj["state_dict"], Mapping):
        obj = obj["state_dict"]
    if not isinstance(obj, Mapping) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ParamError(f"{path}: expected a state_dict (name -> tensor), got {type(obj).__name__}")
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return dict(obj)


def widths_of(sd: Mapping[str, torch.Tensor]) -> Tuple[int, int, int, int]:
    """Reads the stage widths from a CutPasteNet / Encoder state_dict."""
    pre = "encoder." if any(k.startswith("encoder.") for k in sd) else ""
    try:
        return tuple(int(sd[f"{pre}layer{i}.0.conv1.weight"].shape[0]) for i in (1, 2, 3, 4))  # type: ignore
    except KeyError as e:
        raise ParamError(f"checkpoint has no {e.args[0]}: not a density encoder") from None


def load_encoder(path: str) -> Encoder:
    """Loads the encoder from a CutPasteNet state_dict (the head.* keys are ignored) or a bare
    Encoder state_dict. Missing/unexpected encoder keys, shape mismatches, non-finite values fail."""
    sd = load_checkpoint(path)
    widths = widths_of(sd)
    if any(k.startswith("encoder.") for k in sd):
        sd = {k[len("encoder."):]: v for k, v in sd.items() if k.startswith("encoder.")}
    enc = Encoder(widths)
    own = enc.state_dict()
    missing = [k for k in own if k not in sd and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in sd if k not in own]
    bad = [f"{k}: {tuple(sd[k].shape)} vs {tuple(own[k].shape)}" for k in own if k in sd and sd[k].shape != own[k].shape]
    problems = []
    if missing:
        problems.append(f"missing keys ({len(missing)}): {_head(missing)}")
    if unexpected:
        problems.append(f"unexpected keys ({len(unexpected)}): {_head(unexpected)}")
    if bad:
        problems.append(f"shape mismatches ({len(bad)}): {_head(bad)}")
    if problems:
        raise ParamError(f"checkpoint {path} does not fit the density encoder (widths {widths}): " + "; ".join(problems))
    for k, v in sd.items():
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise ParamError(f"checkpoint {path}: non-finite values in {k}")
    enc.load_state_dict(sd, strict=False)
    return enc.eval()


def _head(items: Sequence[str], n: int = 6) -> str:
    return ", ".join(items[:n]) + (f", ... (+{len(items) - n})" if len(items) > n else "")


def canary_paste(img: np.ndarray, kind: str, crop: int, rng: np.random.Generator) -> np.ndarray:
    """The agent's canary defects (src/EdgeAgent.Vision/Canary/CanaryDefects.cs), on the full BGR image:
    a crop/6 square near the centre (within crop/8) that is either a patch of the same image taken a
    quarter-crop away and flipped on both axes ("cutpaste") or a disc of uniform noise ("noise").
    Same geometry as the C# code; the random draws come from rng (not .NET's Random)."""
    h, w = img.shape[:2]
    side, reach = max(8, crop // 6), max(1, crop // 8)
    cx = w // 2 + int(rng.integers(-reach, reach + 1))
    cy = h // 2 + int(rng.integers(-reach, reach + 1))
    tx, ty = cx - side // 2, cy - side // 2
    out = img.copy()
    if kind == "cutpaste":
        sx = int(np.clip(tx + crop // 4 + int(rng.integers(0, side)), 0, w - side))
        sy = int(np.clip(ty - crop // 4, 0, h - side))
        out[ty:ty + side, tx:tx + side] = img[sy:sy + side, sx:sx + side][::-1, ::-1]
    elif kind == "noise":
        import cv2
        noise = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        mask = np.zeros((side, side), np.uint8)
        cv2.circle(mask, (side // 2, side // 2), side // 2, 255, -1)
        roi = out[ty:ty + side, tx:tx + side]
        roi[mask > 0] = noise[mask > 0]
    else:
        raise ValueError(kind)
    return out


def crop_resize(img: np.ndarray, crop: int, size: int) -> np.ndarray:
    """The agent's crop rule: centred C x C window, top-left floor((H-C)/2), floor((W-C)/2);
    INTER_AREA to R x R if R != C."""
    import cv2
    h, w = img.shape[:2]
    if h < crop or w < crop:
        raise ParamError(f"image {w}x{h} smaller than crop {crop}")
    y0, x0 = (h - crop) // 2, (w - crop) // 2
    c = img[y0:y0 + crop, x0:x0 + crop]
    if size != crop:
        c = cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(c)


# --------------------------------------------------------------------------------------------
# Pair density (run 7): the same small encoder on gray(image) and on the template, Gaussian of the
# per-position feature difference. The template removes the pair-to-pair variety (layout, palette)
# that the image-only model above cannot tell from a defect (models/README.md, runs 1-6).
# --------------------------------------------------------------------------------------------
PAIR_STAGES = (1, 2)
PAIR_DEFAULT_WIDTHS = (16, 32)


def standardise(x: torch.Tensor) -> torch.Tensor:
    """Per-image standardisation of [N,1,R,R] over the crop, (x - mean)/sqrt(var + IMAGE_NORM_EPS):
    gray(image) and the template differ by a per-pair gain and offset (the image's palette)."""
    m = x.mean(dim=(2, 3), keepdim=True)
    c = x - m
    return c / torch.sqrt((c * c).mean(dim=(2, 3), keepdim=True) + IMAGE_NORM_EPS)


def gray_image(image_bgr_u8: torch.Tensor) -> torch.Tensor:
    """uint8 [N,R,R,3] BGR HWC -> standardised gray [N,1,R,R] (contract: 0.299 R + 0.587 G + 0.114 B, /255)."""
    x = image_bgr_u8.permute(0, 3, 1, 2).float()
    return standardise((0.114 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.299 * x[:, 2:3]) / 255.0)


def gray_template(template_u8: torch.Tensor) -> torch.Tensor:
    """uint8 [N,R,R,1] HWC -> standardised [N,1,R,R]."""
    return standardise(template_u8.permute(0, 3, 1, 2).float() / 255.0)


class PairEncoder(nn.Module):
    """The first two stages of the ResNet-18 layout on one gray channel (7x7/2 stem, 3x3/2 max-pool,
    stage 1 at R/4, stage 2 at R/8); shared by image and template. `stage` = the map the density reads."""

    def __init__(self, widths: Sequence[int] = PAIR_DEFAULT_WIDTHS, stage: int = 2):
        super().__init__()
        if stage not in PAIR_STAGES:
            raise ParamError(f"pair stage must be one of {PAIR_STAGES}; got {stage}")
        w1, w2 = (int(w) for w in widths)
        self.widths, self.stage = (w1, w2), stage
        self.conv1 = nn.Conv2d(1, w1, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w1)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(w1, w1, 1), BasicBlock(w1, w1, 1))
        self.layer2 = nn.Sequential(BasicBlock(w1, w2, 2), BasicBlock(w2, w2, 1)) if stage == 2 else None
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    @property
    def channels(self) -> int:
        return self.widths[self.stage - 1]

    @property
    def stride(self) -> int:
        return 4 * 2 ** (self.stage - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.layer1(self.maxpool(self.relu(self.bn1(self.conv1(x)))))
        return f if self.layer2 is None else self.layer2(f)

    def diff(self, image_gray: torch.Tensor, template_gray: torch.Tensor) -> torch.Tensor:
        """d = f(image) - f(template) per position [N,C,h,w]; both through the one encoder in one batch
        (so BatchNorm in training sees both kinds of input)."""
        f = self(torch.cat([image_gray, template_gray]))
        return f[:image_gray.shape[0]] - f[image_gray.shape[0]:]


class PairCutPasteNet(nn.Module):
    """Training wrapper: PairEncoder + CutPaste 3-way head (normal / cut-paste / scar) on the pooled
    difference features (mean and max of d^2 over positions) + a dense head (1x1 conv on d^2,
    "pasted here"). Only the encoder is exported."""

    def __init__(self, widths: Sequence[int] = PAIR_DEFAULT_WIDTHS, stage: int = 2, head: int = 64):
        super().__init__()
        self.encoder = PairEncoder(widths, stage)
        c = self.encoder.channels
        self.seg = nn.Conv2d(c, 1, 1)
        self.head = nn.Sequential(nn.Linear(2 * c, head), nn.BatchNorm1d(head), nn.ReLU(inplace=True),
                                  nn.Linear(head, len(CLASSES)))

    def forward(self, image_gray: torch.Tensor, template_gray: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(class logits [N,3], pasted-position logits [N,1,h,w]). The template batch may be k times
        smaller than the image batch (k variants of each window share its template): the encoder then
        runs once per template, and the template features are repeated k times."""
        n, m = image_gray.shape[0], template_gray.shape[0]
        f = self.encoder(torch.cat([image_gray, template_gray]))
        d2 = (f[:n] - f[n:].repeat(n // m, 1, 1, 1)).pow(2)
        pooled = torch.cat([d2.mean(dim=(2, 3)), d2.amax(dim=(2, 3))], dim=1)
        return self.head(torch.log1p(pooled)), self.seg(torch.log1p(d2))


def central_window(h: int, centre: float) -> Tuple[int, int]:
    """[k, h-k): the central share `centre` of a side of h positions (1 = all)."""
    if not 0 < centre <= 1:
        raise ParamError(f"centre must be in (0, 1]; got {centre}")
    k = int(round(h * (1 - centre) / 2))
    return k, h - k


class PairDensityScore(nn.Module):
    """The exported pair graph: image uint8 [N,R,R,3] (BGR) + template uint8 [N,R,R,1]
    -> per position sqrt((d-mu)^T Sinv (d-mu)), d = f(gray image) - f(template);
    -> anomaly_map [N,1,h,w] = its mean over each pool x pool neighbourhood (stride 1, edges averaged over
       the cells inside the map): one cell spiking at a high-contrast edge (focus, lighting) is the OK
       pairs' tail; a defect or a pasted patch raises a few neighbouring cells together;
    -> score [N,1] = max of the map over its central `centre` share of rows and columns."""

    def __init__(self, encoder: PairEncoder, g: Gaussian, input_size: int, centre: float = 1.0, pool: int = 1):
        super().__init__()
        if pool < 1 or pool % 2 == 0:
            raise ParamError(f"pool must be an odd number >= 1; got {pool}")
        self.encoder = encoder.eval()
        self.centre, self.pool = float(centre), int(pool)
        c = encoder.channels
        if g.mean.shape != (c,):
            raise ParamError(f"Gaussian of {g.mean.shape[0]} channels does not fit the encoder's {c}")
        self.map_size = input_size // encoder.stride
        self.lo, self.hi = central_window(self.map_size, self.centre)
        self.register_buffer("mu", torch.tensor(g.mean, dtype=torch.float32).view(1, c, 1, 1))
        self.register_buffer("inv_cov", torch.tensor(g.inv_cov, dtype=torch.float32).view(c, c, 1, 1))

    def forward(self, image: torch.Tensor, template: torch.Tensor):
        d = self.encoder.diff(gray_image(image), gray_template(template).to(self.mu.dtype)) - self.mu
        q = (nn.functional.conv2d(d, self.inv_cov) * d).sum(dim=1, keepdim=True)
        amap = torch.sqrt(torch.clamp(q, min=0.0))
        if self.pool > 1:
            amap = nn.functional.avg_pool2d(amap, self.pool, 1, self.pool // 2, count_include_pad=False)
        score = torch.amax(amap[:, :, self.lo:self.hi, self.lo:self.hi], dim=(2, 3))
        return score, amap


def is_pair_checkpoint(sd: Mapping[str, torch.Tensor]) -> bool:
    pre = "encoder." if any(k.startswith("encoder.") for k in sd) else ""
    w = sd.get(pre + "conv1.weight")
    return w is not None and w.ndim == 4 and w.shape[1] == 1


def load_pair_encoder(path: str) -> PairEncoder:
    """A PairCutPasteNet state_dict (head.*, seg.* ignored) or a bare PairEncoder one; widths and stage
    are read from it. Missing/unexpected keys, shape mismatches, non-finite values fail."""
    sd = load_checkpoint(path)
    if any(k.startswith("encoder.") for k in sd):
        sd = {k[len("encoder."):]: v for k, v in sd.items() if k.startswith("encoder.")}
    if not is_pair_checkpoint(sd) or "layer1.0.conv1.weight" not in sd:
        raise ParamError(f"checkpoint {path} is not a pair density encoder (1-channel conv1 + layer1)")
    stage = 2 if "layer2.0.conv1.weight" in sd else 1
    widths = (int(sd["layer1.0.conv1.weight"].shape[0]),
              int(sd["layer2.0.conv1.weight"].shape[0]) if stage == 2 else PAIR_DEFAULT_WIDTHS[1])
    enc = PairEncoder(widths, stage)
    own = enc.state_dict()
    missing = [k for k in own if k not in sd and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in sd if k not in own]
    bad = [f"{k}: {tuple(sd[k].shape)} vs {tuple(own[k].shape)}" for k in own if k in sd and sd[k].shape != own[k].shape]
    problems = ([f"missing keys ({len(missing)}): {_head(missing)}"] if missing else []) + \
               ([f"unexpected keys ({len(unexpected)}): {_head(unexpected)}"] if unexpected else []) + \
               ([f"shape mismatches ({len(bad)}): {_head(bad)}"] if bad else [])
    if problems:
        raise ParamError(f"checkpoint {path} does not fit the pair encoder (widths {widths}, stage {stage}): " + "; ".join(problems))
    for k, v in sd.items():
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise ParamError(f"checkpoint {path}: non-finite values in {k}")
    enc.load_state_dict(sd, strict=False)
    return enc.eval()


def save_pair_gaussian(path: str, g: Gaussian, centre: float, pool: int) -> None:
    """The Gaussian and the readout (centre share, pooling) travel together, as for the image models."""
    np.savez(path, mean=g.mean, inv_cov=g.inv_cov, shrinkage=np.float64(g.shrinkage), n=np.int64(g.n),
             norm=np.array("pair"), score_from=np.array("pair-map"), centre=np.float64(centre), pool=np.int64(pool))


def build_pair_module(weights: str, gaussian: str, input_size: int) -> PairDensityScore:
    enc = load_pair_encoder(weights)
    g, _ = load_gaussians(gaussian, enc.channels, 0)
    try:
        z = np.load(gaussian)
        centre = float(z["centre"]) if "centre" in z else 1.0
        pool = int(z["pool"]) if "pool" in z else 1
        kind = str(z["score_from"]) if "score_from" in z else ""
    except Exception as e:  # noqa: BLE001
        raise ParamError(f"cannot read --gaussian {gaussian}: {e}") from None
    if kind != "pair-map":
        raise ParamError(f"--gaussian {gaussian} is not a pair Gaussian (score_from {kind!r}, want 'pair-map')")
    if input_size % enc.stride:
        raise ParamError(f"input {input_size} is not a multiple of the encoder's stride {enc.stride}")
    return PairDensityScore(enc, g, input_size, centre, pool).eval()
