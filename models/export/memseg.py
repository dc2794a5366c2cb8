"""Shared pieces of the EdgeAgent MemSeg model (contract "memseg-map/1"): the frozen encoder, the
memory comparison, the multi-scale fusion + U-Net decoder, the module exported to ONNX, synthetic
anomalies for training, checkpoint I/O and parameter validation.

Used by export_memseg.py, ../train/train_memseg.py and ../golden/make_golden_memseg.py.
Contract: /work/kinds-contract.md (memseg); see models/README.md, section "MemSeg".

Graph:  image uint8 [N,R,R,3] BGR (+ template uint8 [N,R,R,1] gray when memory = template)
        -> anomaly_map float32 [N,1,R,R] in [0,1] (sigmoid in the graph).
Agent:  centre crop C (+ INTER_AREA to R), score = max(anomaly_map), NG iff score >= threshold.
"""
from __future__ import annotations

import math
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock
from onnx_file import fmt, sha256_file  # noqa: E402,F401  (shared by every exporter)

CONTRACT = "memseg-map/1"
KIND = "memseg"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
NORMALISATION = ("decoder features: rgb:(x-(0.485,0.456,0.406))/(0.229,0.224,0.225); memory comparison: "
                 "gray(image) and template each standardised per image (x-mean)/(std+0.001), replicated to 3 channels")
ENC_WIDTHS = (32, 64, 128)     # ResNet18 layout (conv1, maxpool, 2 BasicBlocks per stage), half width
DEC_WIDTHS = (32, 48, 64)      # fused channels at scales 1..3
ARCH = "memseg-r18half-l1-3-unet"
STD_EPS = 1e-3  # standardisation: (x - mean) / (std + eps), x in [0, 1]


class ParamError(ValueError):
    """A model parameter (CLI flag or checkpoint) is invalid; message says which and why."""


# --------------------------------------------------------------------------------------------
# Encoder: ResNet18 stages conv1..layer3 at half width (random init, BN calibrated, frozen)
# --------------------------------------------------------------------------------------------
class Encoder(nn.Module):
    """conv1 7x7/2, bn, relu, maxpool, layer1..3 of BasicBlocks (2 each). forward -> [stem, f1, f2, f3]
    with stem at R/2 (before the max-pool), f1 at R/4, f2 at R/8, f3 at R/16."""

    def __init__(self, widths: Sequence[int] = ENC_WIDTHS):
        super().__init__()
        w1, w2, w3 = widths
        self.conv1 = nn.Conv2d(3, w1, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w1)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._stage(w1, w1, 1)
        self.layer2 = self._stage(w1, w2, 2)
        self.layer3 = self._stage(w2, w3, 2)
        for m in self.modules():  # torchvision's ResNet init
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    @staticmethod
    def _stage(cin: int, cout: int, stride: int) -> nn.Sequential:
        down = None
        if stride != 1 or cin != cout:
            down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        return nn.Sequential(BasicBlock(cin, cout, stride, down), BasicBlock(cout, cout))

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        s = self.relu(self.bn1(self.conv1(x)))
        f1 = self.layer1(self.maxpool(s))
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        return [s, f1, f2, f3]


def seeded_encoder(seed: int) -> Encoder:
    g = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        return Encoder()
    finally:
        torch.random.set_rng_state(g)


def conv_bn_relu(cin: int, cout: int, k: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, 1, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def up(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    # explicit size (not scale_factor): ONNX Resize with `sizes`, linear, half-pixel centres
    return F.interpolate(x, size=(like.shape[2], like.shape[3]), mode="bilinear", align_corners=False)


# --------------------------------------------------------------------------------------------
# Decoder: per-scale reduction of [F_in, (F_in - F_mem)^2], multi-scale fusion, U-Net up path
# --------------------------------------------------------------------------------------------
class Decoder(nn.Module):
    def __init__(self, enc: Sequence[int] = ENC_WIDTHS, dec: Sequence[int] = DEC_WIDTHS):
        super().__init__()
        # per scale: input features concatenated with the squared difference to the closest memory
        self.reduce = nn.ModuleList([nn.Sequential(conv_bn_relu(2 * e, d, 1), conv_bn_relu(d, d))
                                     for e, d in zip(enc, dec)])
        # multi-scale fusion (top-down): coarse context added to finer scales
        self.fuse32 = conv_bn_relu(dec[2], dec[1], 1)
        self.fuse21 = conv_bn_relu(dec[1], dec[0], 1)
        # U-Net up path: R/16 -> R/8 -> R/4 -> R/2 (stem skip) -> R
        self.up2 = conv_bn_relu(dec[2] + dec[1], dec[1])
        self.up1 = conv_bn_relu(dec[1] + dec[0], dec[0])
        self.up0 = conv_bn_relu(dec[0] + enc[0], 24)
        self.full = conv_bn_relu(24, 16)
        self.head = nn.Conv2d(16, 1, 3, 1, 1)

    def forward(self, feats: List[torch.Tensor], diffs: List[torch.Tensor], stem: torch.Tensor,
                out_size: int) -> torch.Tensor:
        m1, m2, m3 = [r(torch.cat([f, d], dim=1)) for r, f, d in zip(self.reduce, feats, diffs)]
        m2 = m2 + self.fuse32(up(m3, m2))
        m1 = m1 + self.fuse21(up(m2, m1))
        x = self.up2(torch.cat([up(m3, m2), m2], dim=1))
        x = self.up1(torch.cat([up(x, m1), m1], dim=1))
        x = self.up0(torch.cat([up(x, stem), stem], dim=1))
        x = F.interpolate(x, size=(out_size, out_size), mode="bilinear", align_corners=False)
        return self.head(self.full(x))  # logits


# --------------------------------------------------------------------------------------------
# The exported module
# --------------------------------------------------------------------------------------------
class MemSegNet(nn.Module):
    """memory = "template": forward(image, template); memory = "baked": forward(image) with
    `bank` = list of 3 tensors [N_mem, C_l, h_l, w_l] (features of N normal images)."""

    def __init__(self, encoder: Encoder, decoder: Decoder, r: int, memory: str,
                 bank: Optional[List[torch.Tensor]] = None):
        super().__init__()
        if memory not in ("template", "baked"):
            raise ParamError(f"memory must be 'template' or 'baked'; got {memory!r}")
        if (memory == "baked") != (bank is not None):
            raise ParamError("a baked memory needs a feature bank, a template memory none")
        self.encoder, self.decoder, self.r, self.memory = encoder.eval(), decoder, r, memory
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        if bank is not None:
            # stored as [1, N_mem, C, h, w]: the graph then uses this one constant both for the
            # distances and for the Gather (a reshaped copy would be folded into a second constant)
            for i, b in enumerate(bank):
                self.register_buffer(f"bank{i + 1}", b.clone().unsqueeze(0))

    @property
    def bank_size(self) -> int:
        return int(self.bank1.shape[1]) if self.memory == "baked" else 0

    def prep_image(self, image: torch.Tensor) -> torch.Tensor:
        x = image.permute(0, 3, 1, 2)[:, [2, 1, 0]].float()  # BGR -> RGB, NCHW
        return (x / 255.0 - self.mean) / self.std

    @staticmethod
    def standardise(x: torch.Tensor) -> torch.Tensor:
        """Per-image standardisation of a 1-channel [N,1,R,R] tensor, replicated to 3 channels: makes
        gray(image) and the template comparable (their intensity maps differ per pair, linearly)."""
        m = x.mean(dim=(2, 3), keepdim=True)
        sd = (x - m).pow(2).mean(dim=(2, 3), keepdim=True).sqrt()
        z = (x - m) / (sd + STD_EPS)
        return torch.cat([z, z, z], dim=1)

    def compare_image(self, image: torch.Tensor) -> torch.Tensor:
        """gray = 0.299 R + 0.587 G + 0.114 B (contract), /255, standardised."""
        x = image.permute(0, 3, 1, 2).float()  # B, G, R order
        g = (0.114 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.299 * x[:, 2:3]) / 255.0
        return self.standardise(g)

    def compare_template(self, template: torch.Tensor) -> torch.Tensor:
        return self.standardise(template.permute(0, 3, 1, 2).float() / 255.0)

    def features(self, x: torch.Tensor) -> List[torch.Tensor]:
        self.encoder.eval()  # frozen, BN running statistics
        return self.encoder(x)

    def closest_memory(self, feats: List[torch.Tensor]) -> List[torch.Tensor]:
        """The bank entry with the smallest L2 distance to the input, summed over the 3 scales
        (each scale's squared distance averaged over its elements, so the scales weigh equally)."""
        banks = [self.bank1, self.bank2, self.bank3]
        dist = 0
        for f, b in zip(feats, banks):
            d = (f.unsqueeze(1) - b).pow(2)                         # B, Nm, C, h, w
            dist = dist + d.mean(dim=(2, 3, 4))
        idx = torch.argmin(dist, dim=1)                               # B
        return [b.index_select(1, idx)[0] for b in banks]

    def logits(self, image: torch.Tensor, template: Optional[torch.Tensor] = None) -> torch.Tensor:
        # decoder input: colour features of the image; comparison: standardised gray image vs memory
        stem, *feats = self.features(self.prep_image(image))
        comp = self.features(self.compare_image(image))[1:]
        if self.memory == "template":
            mem = self.features(self.compare_template(template))[1:]
        else:
            mem = self.closest_memory(comp)
        diffs = [(f - m).pow(2) for f, m in zip(comp, mem)]
        return self.decoder(feats, diffs, stem, self.r)

    def forward(self, image: torch.Tensor, template: Optional[torch.Tensor] = None) -> torch.Tensor:
        return torch.sigmoid(self.logits(image, template))


# --------------------------------------------------------------------------------------------
# Checkpoint: one .pth = {"encoder", "decoder", "bank" (list or None), "memory", "input"}
# --------------------------------------------------------------------------------------------
def save_model(net: MemSegNet, path: str, extra: Optional[dict] = None) -> None:
    bank = [getattr(net, f"bank{i}")[0] for i in (1, 2, 3)] if net.memory == "baked" else None
    torch.save({"encoder": net.encoder.state_dict(), "decoder": net.decoder.state_dict(),
                "bank": bank, "memory": net.memory, "input": net.r} | (extra or {}), path)


def load_model(path: str) -> MemSegNet:
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise ParamError(f"weights not found: {path}") from None
    except Exception as e:  # noqa: BLE001 - any unpickling failure is a bad file
        raise ParamError(f"cannot read weights {path}: {e}") from None
    need = {"encoder", "decoder", "bank", "memory", "input"}
    if not isinstance(obj, Mapping) or not need <= set(obj):
        got = sorted(obj) if isinstance(obj, Mapping) else type(obj).__name__
        raise ParamError(f"{path}: expected a MemSeg checkpoint with keys {sorted(need)}; got {got}")
    enc, dec = Encoder(), Decoder()
    for role, mod in (("encoder", enc), ("decoder", dec)):
        sd = obj[role]
        own = mod.state_dict()
        missing = [k for k in own if k not in sd and not k.endswith("num_batches_tracked")]
        unexpected = [k for k in sd if k not in own]
        bad = [f"{k}: {tuple(sd[k].shape)} vs {tuple(own[k].shape)}" for k in own if k in sd and sd[k].shape != own[k].shape]
        if missing or unexpected or bad:
            raise ParamError(f"{path}: {role} does not fit {ARCH}: missing {missing[:4]}, unexpected "
                             f"{unexpected[:4]}, shape mismatches {bad[:4]}")
        mod.load_state_dict(sd, strict=False)
        for k, v in sd.items():
            if v.is_floating_point() and not torch.isfinite(v).all():
                raise ParamError(f"{path}: non-finite values in {role}.{k}")
    bank = obj["bank"]
    memory = obj["memory"]
    r = int(obj["input"])
    if memory == "baked":
        if not (isinstance(bank, (list, tuple)) and len(bank) == 3):
            raise ParamError(f"{path}: baked memory needs a bank of 3 feature tensors")
        for b, c, s in zip(bank, ENC_WIDTHS, (4, 8, 16)):
            if b.ndim != 4 or b.shape[1] != c or b.shape[2] != r // s or b.shape[3] != r // s or not torch.isfinite(b).all():
                raise ParamError(f"{path}: bank tensor {tuple(b.shape)} does not fit input {r} (C={c}, {r // s}x{r // s})")
    elif memory != "template":
        raise ParamError(f"{path}: memory must be 'template' or 'baked'; got {memory!r}")
    return MemSegNet(enc, dec, r, memory, list(bank) if memory == "baked" else None).eval()


def validate_geometry(crop: int, inp: int) -> None:
    if not 32 <= crop <= 4096:
        raise ParamError(f"--crop must be in [32, 4096] pixels; got {crop}")
    if not 32 <= inp <= crop:
        raise ParamError(f"--input must be in [32, crop={crop}] (the agent only shrinks with INTER_AREA); got {inp}")
    if inp % 16:
        raise ParamError(f"--input must be a multiple of 16 (encoder stride); got {inp}")


def validate_threshold(th: float) -> None:
    if not math.isfinite(th) or not 0.0 < th < 1.0:
        raise ParamError(f"--threshold must be in (0, 1) (the map is a probability); got {th}")


# --------------------------------------------------------------------------------------------
# Synthetic anomalies (training): Perlin mask x a local window, filled with a texture or a
# shuffled 4x8 grid of the image itself, blended with delta in [0.15, 1]
# --------------------------------------------------------------------------------------------
def perlin(shape: Tuple[int, int], res: Tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """2-D gradient (Perlin) noise, shape divisible by res (DRAEM's rand_perlin_2d)."""
    d = (shape[0] // res[0], shape[1] // res[1])
    grid = np.mgrid[0:res[0]:res[0] / shape[0], 0:res[1]:res[1] / shape[1]].transpose(1, 2, 0) % 1
    ang = 2 * math.pi * rng.random((res[0] + 1, res[1] + 1))
    grads = np.stack((np.cos(ang), np.sin(ang)), axis=-1)

    def tile(s1, s2):
        return np.repeat(np.repeat(grads[s1[0]:s1[1], s2[0]:s2[1]], d[0], axis=0), d[1], axis=1)

    def dot(g, sh):
        return (np.stack((grid[..., 0] + sh[0], grid[..., 1] + sh[1]), axis=-1) * g).sum(axis=-1)

    n00 = dot(tile([0, -1], [0, -1]), [0, 0])
    n10 = dot(tile([1, None], [0, -1]), [-1, 0])
    n01 = dot(tile([0, -1], [1, None]), [0, -1])
    n11 = dot(tile([1, None], [1, None]), [-1, -1])
    t = 6 * grid ** 5 - 15 * grid ** 4 + 10 * grid ** 3
    a = n00 + t[..., 0] * (n10 - n00)
    b = n01 + t[..., 0] * (n11 - n01)
    return math.sqrt(2) * (a + t[..., 1] * (b - a))


def anomaly_mask(r: int, rng: np.random.Generator) -> np.ndarray:
    """Thresholded Perlin noise times a random local window (our stand-in for MemSeg's foreground
    mask: the whole crop is foreground here, but real defects are local, so the noise is kept inside
    an ellipse with semi-axes of 3-22 % of the side). Never empty."""
    for _ in range(20):
        sx, sy = 2 ** int(rng.integers(1, 6)), 2 ** int(rng.integers(1, 6))
        n = perlin((r, r), (sx, sy), rng)
        m = (n > 0.5 * float(rng.uniform(0.4, 1.0))).astype(np.float32)
        ax, ay = rng.uniform(0.03, 0.22, 2) * r
        cx, cy = rng.uniform(0.1, 0.9, 2) * r
        yy, xx = np.mgrid[0:r, 0:r]
        m *= (((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2 <= 1).astype(np.float32)
        if m.sum() >= 6:
            return m
    m = np.zeros((r, r), np.float32)
    c = int(rng.integers(4, r - 4))
    m[c - 2:c + 2, c - 2:c + 2] = 1
    return m


def grid_shuffle(img: np.ndarray, rng: np.random.Generator, rows: int = 4, cols: int = 8) -> np.ndarray:
    h, w = img.shape[:2]
    gh, gw = h // rows, w // cols
    cells = [img[i * gh:(i + 1) * gh, j * gw:(j + 1) * gw] for i in range(rows) for j in range(cols)]
    order = rng.permutation(len(cells))
    out = img.copy()
    for k, o in enumerate(order):
        i, j = divmod(k, cols)
        out[i * gh:(i + 1) * gh, j * gw:(j + 1) * gw] = cells[o]
    return out


def texture(r: int, other: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A fill texture: another training image's crop (rotated, colour-permuted, contrast-jittered),
    a flat random colour, or colour Perlin noise. There is no texture data set (DTD) here."""
    k = int(rng.integers(0, 3))
    if k == 0:
        t = np.rot90(other, int(rng.integers(0, 4)))[:, :, rng.permutation(3)].astype(np.float32)
        t = (t - t.mean()) * rng.uniform(0.5, 1.8) + rng.uniform(30, 220)
    elif k == 1:
        t = np.ones((r, r, 3), np.float32) * rng.uniform(0, 255, 3).astype(np.float32)
        t += rng.normal(0, rng.uniform(0, 20), (r, r, 1)).astype(np.float32)
    else:
        s = 2 ** int(rng.integers(2, 6))
        t = np.stack([perlin((r, r), (s, s), rng) for _ in range(3)], axis=-1).astype(np.float32)
        t = 128 + t * rng.uniform(60, 160)
    return np.clip(t, 0, 255)


def synth_anomaly(img: np.ndarray, other: np.ndarray, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """img, other: R x R x 3 uint8 (BGR). Returns (anomalous uint8 image, float32 mask R x R)."""
    r = img.shape[0]
    m = anomaly_mask(r, rng)
    src = grid_shuffle(img, rng).astype(np.float32) if rng.random() < 0.5 else texture(r, other, rng)
    delta = float(rng.uniform(0.15, 1.0))
    a = (m * delta)[:, :, None]
    out = img.astype(np.float32) * (1 - a) + src * a
    return np.clip(np.rint(out), 0, 255).astype(np.uint8), m


# --------------------------------------------------------------------------------------------
# Loss: 0.6 L1 + 0.4 focal (MemSeg)
# --------------------------------------------------------------------------------------------
def memseg_loss(logits: torch.Tensor, target: torch.Tensor, gamma: float = 4.0) -> Tuple[torch.Tensor, float, float]:
    p = torch.sigmoid(logits)
    l1 = (p - target).abs().mean()
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    pt = torch.where(target > 0.5, p, 1 - p)
    focal = ((1 - pt) ** gamma * bce).mean()
    return 0.6 * l1 + 0.4 * focal, float(l1), float(focal)


@torch.no_grad()
def calibrate_bn(enc: Encoder, batches) -> int:
    """Re-estimates BN running statistics as the plain average over the given float batches."""
    for m in enc.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    enc.train()
    n = 0
    for x in batches:
        enc(x)
        n += x.shape[0]
    for m in enc.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
    enc.eval()
    return n


def param_count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
