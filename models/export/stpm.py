"""Shared pieces of the EdgeAgent STPM model: truncated backbone, the map module exported to ONNX,
parameter parsing/validation and mask construction.

Used by export_stpm.py, ../train/train_stpm.py, reference.py and ../golden/make_golden.py.
The score definition lives in /work/shared/docs/domain.md ("Score definition"); keep in sync.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx_file import fmt as _fmt, sha256_file  # noqa: E402,F401  (shared by every exporter)

CONTRACT = "stpm-maps/1"
ARCHS = ("resnet18", "resnet34", "resnet50", "wide_resnet50_2")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
NORM_EPS = 1e-12  # F.normalize default; score definition step 6
# Keys of a full torchvision ResNet state_dict that a layer-1..3 checkpoint may drop.
OPTIONAL_PREFIXES = ("layer4.", "fc.")


class ParamError(ValueError):
    """A model parameter (CLI flag or checkpoint) is invalid; message says which and why."""


# --------------------------------------------------------------------------------------------
# Backbone
# --------------------------------------------------------------------------------------------
class TruncatedResNet(nn.Module):
    """torchvision ResNet up to stage layer3; forward returns [layer1, layer2, layer3] outputs."""

    def __init__(self, arch: str):
        super().__init__()
        if arch not in ARCHS:
            raise ParamError(f"--arch must be one of {', '.join(ARCHS)}; got {arch!r}")
        full = getattr(torchvision.models, arch)(weights=None)
        self.arch = arch
        self.conv1, self.bn1, self.relu, self.maxpool = full.conv1, full.bn1, full.relu, full.maxpool
        self.layer1, self.layer2, self.layer3 = full.layer1, full.layer2, full.layer3

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        f1 = self.layer1(x)
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        return [f1, f2, f3]


def load_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """Reads a torchvision ResNet state_dict (plain, or wrapped as {'state_dict': ...})."""
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise ParamError(f"checkpoint not found: {path}") from None
    except Exception as e:  # noqa: BLE001 - any unpickling failure is a bad file
        raise ParamError(f"cannot read checkpoint {path}: {e}") from None
    if isinstance(obj, Mapping) and "state_dict" in obj and isinstance(obj["state_dict"], Mapping):
        obj = obj["state_dict"]
    if not isinstance(obj, Mapping) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ParamError(f"{path}: expected a state_dict (name -> tensor), got {type(obj).__name__}")
    # DataParallel / DDP checkpoints prefix every key with 'module.'.
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return dict(obj)


def load_backbone(arch: str, path: str, role: str) -> TruncatedResNet:
    """Builds the truncated backbone and loads `path` into it.

    Tolerated: extra layer4.* / fc.* keys (full ResNet checkpoints). Anything else missing,
    unexpected, or of the wrong shape fails with a message naming the keys.
    """
    model = TruncatedResNet(arch)
    sd = load_checkpoint(path)
    own = model.state_dict()
    unexpected = [k for k in sd if k not in own and not k.startswith(OPTIONAL_PREFIXES)]
    missing = [k for k in own if k not in sd]
    # Old checkpoints lack BN's num_batches_tracked; it has no effect in eval mode.
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    bad_shape = [f"{k}: checkpoint {tuple(sd[k].shape)} vs {arch} {tuple(own[k].shape)}"
                 for k in own if k in sd and sd[k].shape != own[k].shape]
    problems = []
    if missing:
        problems.append(f"missing keys ({len(missing)}): {_head(missing)}")
    if unexpected:
        problems.append(f"unexpected keys ({len(unexpected)}): {_head(unexpected)}")
    if bad_shape:
        problems.append(f"shape mismatches ({len(bad_shape)}): {_head(bad_shape)}")
    if problems:
        raise ParamError(f"{role} checkpoint {path} does not fit --arch {arch}: " + "; ".join(problems))
    sd = {k: v for k, v in sd.items() if k in own}
    model.load_state_dict(sd, strict=False)  # strictness enforced above, incl. the tolerated keys
    for k, v in sd.items():
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise ParamError(f"{role} checkpoint {path}: non-finite values in {k}")
    return model.eval()


def _head(items: Sequence[str], n: int = 6) -> str:
    return ", ".join(items[:n]) + (f", ... (+{len(items) - n})" if len(items) > n else "")


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MaskSpec:
    kind: str          # "none" | "centre" | "gaussian"
    value: float = 0.0  # rho for centre, sigma for gaussian

    def __str__(self) -> str:
        return "none" if self.kind == "none" else f"{self.kind}:{_fmt(self.value)}"


@dataclass(frozen=True)
class ScoreParams:
    crop: int
    input: int
    pad: int
    layer_weights: Tuple[float, float, float]
    mask: MaskSpec
    threshold: float

    def as_dict(self) -> dict:
        return {"crop": self.crop, "input": self.input, "pad": self.pad,
                "layer_weights": list(self.layer_weights), "mask": str(self.mask),
                "threshold": self.threshold}


def parse_mask(text: str) -> MaskSpec:
    t = text.strip()
    if t == "none":
        return MaskSpec("none")
    kind, sep, val = t.partition(":")
    if not sep or kind not in ("centre", "gaussian"):
        raise ParamError(f"--mask must be 'none', 'centre:RHO' or 'gaussian:SIGMA'; got {text!r}")
    try:
        v = float(val)
    except ValueError:
        raise ParamError(f"--mask {text!r}: {val!r} is not a number") from None
    if kind == "centre" and not (0.0 < v <= 1.0):
        raise ParamError(f"--mask centre:RHO needs 0 < RHO <= 1 (fraction of R); got {v}")
    if kind == "gaussian" and not (0.0 < v <= 10.0 and math.isfinite(v)):
        raise ParamError(f"--mask gaussian:SIGMA needs 0 < SIGMA <= 10 (fraction of R); got {v}")
    return MaskSpec(kind, v)


def parse_weights(text: str) -> Tuple[float, float, float]:
    parts = text.split(",")
    if len(parts) != 3:
        raise ParamError(f"--layer-weights needs exactly 3 comma-separated numbers (w1,w2,w3); got {text!r}")
    try:
        w = tuple(float(p) for p in parts)
    except ValueError:
        raise ParamError(f"--layer-weights {text!r}: not all numbers") from None
    if any(not math.isfinite(x) or x < 0 for x in w) or sum(w) <= 0:
        raise ParamError(f"--layer-weights must be finite, >= 0 and not all 0; got {text!r}")
    return w  # type: ignore[return-value]


def validate_geometry(crop: int, inp: int, pad: int) -> None:
    if not 32 <= crop <= 4096:
        raise ParamError(f"--crop must be in [32, 4096] pixels; got {crop}")
    if not 32 <= inp <= crop:
        raise ParamError(f"--input must be in [32, crop={crop}] (the agent only shrinks with INTER_AREA); got {inp}")
    if not 0 <= pad < inp:
        raise ParamError(f"--pad must be in [0, input={inp}) (reflect padding needs pad < size); got {pad}")


def validate_threshold(th: float) -> None:
    # d_l is in [0, 2]; the fused map is in [0, 2*sum(w)]. Only reject nonsense here.
    if not math.isfinite(th) or th <= 0:
        raise ParamError(f"--threshold must be a finite number > 0; got {th}")


# --------------------------------------------------------------------------------------------
# Masks (score definition step 9). Computed in float64; keep in sync with models/README.md.
# --------------------------------------------------------------------------------------------
def make_mask(spec: MaskSpec, r: int) -> np.ndarray:
    """R x R float64 mask; pixel (x, y) = (column, row), c = (R-1)/2.

    none:       1 everywhere
    centre:rho: 1 iff |x-c| <= rho*R/2 and |y-c| <= rho*R/2 (double precision), else 0
    gaussian:s: exp(-((x-c)^2 + (y-c)^2) / (2 (s*R)^2))
    """
    c = (r - 1) / 2.0
    y, x = np.mgrid[0:r, 0:r].astype(np.float64)
    if spec.kind == "none":
        return np.ones((r, r), np.float64)
    if spec.kind == "centre":
        half = spec.value * r / 2.0
        return ((np.abs(x - c) <= half) & (np.abs(y - c) <= half)).astype(np.float64)
    if spec.kind == "gaussian":
        s = spec.value * r
        return np.exp(-((x - c) ** 2 + (y - c) ** 2) / (2.0 * s * s))
    raise ParamError(f"unknown mask kind {spec.kind!r}")


# --------------------------------------------------------------------------------------------
# Tensor preprocessing shared by training (steps 3-4 on already-cropped uint8 arrays)
# --------------------------------------------------------------------------------------------
def normalise_pad(x: torch.Tensor, pad: int) -> torch.Tensor:
    """x: float N x 3 x R x R RGB in [0, 255] (gray already replicated) -> normalised, reflect-padded."""
    mean = torch.tensor(IMAGENET_MEAN, dtype=x.dtype).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=x.dtype).view(1, 3, 1, 1)
    x = (x / 255.0 - mean) / std
    return F.pad(x, (pad, pad, pad, pad), mode="reflect") if pad > 0 else x


def layer_distance(t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """d = 0.5 * || t/||t|| - s/||s|| ||^2 over channels -> N x 1 x h x w (step 6)."""
    tn = F.normalize(t, p=2.0, dim=1, eps=NORM_EPS)
    sn = F.normalize(s, p=2.0, dim=1, eps=NORM_EPS)
    return 0.5 * (tn - sn).pow(2).sum(dim=1, keepdim=True)


# --------------------------------------------------------------------------------------------
# The exported graph (steps 3-7)
# --------------------------------------------------------------------------------------------
class STPMMaps(nn.Module):
    """template uint8 [N,R,R,1] gray, image uint8 [N,R,R,3] BGR -> layer_maps float32 [N,3,R,R]."""

    def __init__(self, teacher: TruncatedResNet, student: TruncatedResNet, r: int, pad: int):
        super().__init__()
        self.teacher, self.student, self.r, self.pad = teacher.eval(), student.eval(), r, pad
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def _prep(self, x: torch.Tensor) -> torch.Tensor:
        x = (x / 255.0 - self.mean) / self.std  # a 1-channel template broadcasts to 3 channels
        p = self.pad
        return F.pad(x, (p, p, p, p), mode="reflect") if p > 0 else x

    def forward(self, template: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        t = template.permute(0, 3, 1, 2).float()            # N,1,R,R
        s = image.permute(0, 3, 1, 2)[:, [2, 1, 0]].float()  # BGR -> RGB, N,3,R,R
        ft = self.teacher(self._prep(t))
        fs = self.student(self._prep(s))
        size = self.r + 2 * self.pad
        maps = []
        for a, b in zip(ft, fs):
            d = layer_distance(a, b)
            d = F.interpolate(d, size=(size, size), mode="bilinear", align_corners=False)
            maps.append(d[:, :, self.pad:self.pad + self.r, self.pad:self.pad + self.r])
        return torch.cat(maps, dim=1)


def seeded_backbone(arch: str, seed: int) -> TruncatedResNet:
    """Randomly initialised backbone, reproducible from the seed (torchvision's default init)."""
    g = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        return TruncatedResNet(arch)
    finally:
        torch.random.set_rng_state(g)
