"""Training recipe for the EdgeAgent "density" kind (CutPaste, 3-way: normal / cut-paste / scar)
on generator OK pairs (colour image only), then the Gaussian fit on normal embeddings.

    /usr/bin/python3 models/train/train_density.py --data DIR --out-dir RUN --crop 256 --input 128 \
        --steps 600 --batch 16 --lr 1e-3 --seed 0 --time-budget 540

Writes RUN/model.pth (CutPasteNet state_dict: encoder.* + head.*), RUN/gaussian.npz (image
Gaussian: mean, inv_cov of the pooled stage-4 embedding; patch Gaussian: patch_mean, patch_inv_cov of
the stage-3 feature vectors at every position; both Ledoit-Wolf shrunk) and RUN/train_log.json.

Data: every training pair's image is read once, INTER_AREA-scaled by R/C (so a window of the scaled
image is what the agent's crop+resize gives), and kept in memory. A training sample is a random R x R
window of it (--window, default R) with a random flip / 90-degree rotation; each step sees B normal windows, the same B with
a cut-paste patch and the same B with a scar (CutPaste, Li et al. 2021, at R instead of 256).
The Gaussians are fitted on the exact agent crops (centre C x C -> R) of the training pairs.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import density as D  # noqa: E402


def read_rows(folder: str):
    with open(os.path.join(folder, "labels.csv"), newline="") as f:
        return list(csv.DictReader(f))


def load_scaled(folder: str, rows, crop: int, size: int) -> list:
    out = []
    s = size / crop
    for r in rows:
        img = cv2.imread(os.path.join(folder, r["image"]), cv2.IMREAD_COLOR)
        if s != 1:
            img = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
        out.append(img)
    return out


def load_crops(folder: str, rows, crop: int, size: int) -> np.ndarray:
    return np.stack([D.crop_resize(cv2.imread(os.path.join(folder, r["image"]), cv2.IMREAD_COLOR), crop, size)
                     for r in rows])


# --------------------------------------------------------------------------------------------
# CutPaste augmentations (uint8 BGR HWC in, out)
# --------------------------------------------------------------------------------------------
def colour_jitter(patch: np.ndarray, rng: np.random.Generator, amount: float = 0.1) -> np.ndarray:
    p = patch.astype(np.float32)
    p = p * rng.uniform(1 - amount, 1 + amount)                                   # brightness
    m = p.mean()
    p = (p - m) * rng.uniform(1 - amount, 1 + amount) + m                          # contrast
    g = p.mean(axis=2, keepdims=True)
    p = (p - g) * rng.uniform(1 - amount, 1 + amount) + g                          # saturation
    p = np.clip(p, 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(p, cv2.COLOR_BGR2HSV)
    hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + int(rng.uniform(-amount, amount) * 180)) % 180).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


def cut_paste(img: np.ndarray, rng: np.random.Generator, jitter: float = 0.1):
    """Returns (image, mask of the pasted pixels)."""
    r = img.shape[0]
    area = rng.uniform(0.02, 0.15) * r * r
    aspect = math.exp(rng.uniform(math.log(0.3), math.log(1 / 0.3)))
    w = int(np.clip(round(math.sqrt(area * aspect)), 2, r - 1))
    h = int(np.clip(round(math.sqrt(area / aspect)), 2, r - 1))
    sx, sy = rng.integers(0, r - w + 1), rng.integers(0, r - h + 1)
    patch = colour_jitter(img[sy:sy + h, sx:sx + w].copy(), rng, jitter)
    tx, ty = rng.integers(0, r - w + 1), rng.integers(0, r - h + 1)
    out = img.copy()
    out[ty:ty + h, tx:tx + w] = patch
    mask = np.zeros((r, r), np.uint8)
    mask[ty:ty + h, tx:tx + w] = 1
    return out, mask


def flip_paste(img: np.ndarray, rng: np.random.Generator, side: float, jitter: float = 0.1):
    """The agent canary's kind of cut-paste: a square (side x U(0.6, 1.4)) of the same window,
    taken at least half a side away, flipped on both axes (75 %; else one axis), pasted without
    colour change (50 %; else jittered by +-jitter/3). Returns (image, mask)."""
    r = img.shape[0]
    s = int(np.clip(round(side * rng.uniform(0.6, 1.4)), 4, r // 2))
    for _ in range(20):
        sx, sy, tx, ty = (int(v) for v in rng.integers(0, r - s + 1, 4))
        if max(abs(sx - tx), abs(sy - ty)) >= s // 2:
            break
    patch = img[sy:sy + s, sx:sx + s]
    u = rng.random()
    patch = patch[::-1, ::-1] if u < 0.75 else (patch[::-1] if u < 0.875 else patch[:, ::-1])
    patch = np.ascontiguousarray(patch)
    if rng.random() < 0.5:
        patch = colour_jitter(patch, rng, jitter / 3)
    out = img.copy()
    out[ty:ty + s, tx:tx + s] = patch
    mask = np.zeros((r, r), np.uint8)
    mask[ty:ty + s, tx:tx + s] = 1
    return out, mask


def scar(img: np.ndarray, rng: np.random.Generator, scale: float, jitter: float = 0.1):
    """Thin rotated rectangle cut from the image, jittered, pasted elsewhere: the paper's
    2-16 x 10-25 px times `scale`."""
    r = img.shape[0]
    k = scale
    w = max(1, int(round(rng.uniform(2, 16) * k)))
    h = max(2, int(round(rng.uniform(10, 25) * k)))
    sx, sy = rng.integers(0, r - w + 1), rng.integers(0, r - h + 1)
    patch = colour_jitter(img[sy:sy + h, sx:sx + w].copy(), rng, jitter)
    ang = rng.uniform(-45, 45)
    side = int(math.ceil(math.hypot(w, h))) + 2
    canvas = np.zeros((side, side, 3), np.uint8)
    mask = np.zeros((side, side), np.uint8)
    oy, ox = (side - h) // 2, (side - w) // 2
    canvas[oy:oy + h, ox:ox + w] = patch
    mask[oy:oy + h, ox:ox + w] = 255
    m = cv2.getRotationMatrix2D((side / 2, side / 2), ang, 1.0)
    canvas = cv2.warpAffine(canvas, m, (side, side), flags=cv2.INTER_NEAREST)
    mask = cv2.warpAffine(mask, m, (side, side), flags=cv2.INTER_NEAREST)
    tx, ty = rng.integers(0, r - side + 1), rng.integers(0, r - side + 1)
    out = img.copy()
    roi = out[ty:ty + side, tx:tx + side]
    roi[mask > 0] = canvas[mask > 0]
    full = np.zeros((r, r), np.uint8)
    full[ty:ty + side, tx:tx + side] = mask > 0
    return out, full


def random_window(img: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
    c = img[y:y + size, x:x + size]
    if rng.random() < 0.5:
        c = c[:, ::-1]
    c = np.rot90(c, int(rng.integers(0, 4)))
    return np.ascontiguousarray(c)


# --------------------------------------------------------------------------------------------
@torch.no_grad()
def embed_all(net: D.CutPasteNet, crops: np.ndarray, norm: str = "imagenet", bs: int = 64):
    net.eval()
    es, ps = [], []
    for i in range(0, len(crops), bs):
        e, f3 = net.embed(D.preprocess(torch.from_numpy(crops[i:i + bs]), norm))
        es.append(e.double().numpy())
        ps.append(f3.double().permute(0, 2, 3, 1).reshape(-1, f3.shape[1]).numpy())
    return np.concatenate(es), np.concatenate(ps)


def average_precision(scores, labels) -> float:
    order = np.argsort(-np.asarray(scores), kind="mergesort")
    y = np.asarray(labels)[order]
    tp = np.cumsum(y)
    prec = tp / np.arange(1, len(y) + 1)
    return float((prec * y).sum() / max(1, y.sum()))


def canary_sim(net, g_img, g_patch, folder: str, crop: int, size: int, norm: str, seed: int, per_pair: int = 3) -> dict:
    """The agent's canary defects (density.canary_paste) on the OK pairs of `folder`: for both scores
    (pooled embedding, max of the patch map) the OK maximum and how many pasted images score above it."""
    rows = [r for r in read_rows(folder) if r["label"] == "OK"]
    rng = np.random.default_rng(seed + 7)
    crops = {"ok": [], "cutpaste": [], "noise": []}
    for r in rows:
        img = cv2.imread(os.path.join(folder, r["image"]), cv2.IMREAD_COLOR)
        crops["ok"].append(D.crop_resize(img, crop, size))
        for _ in range(per_pair):
            for k in ("cutpaste", "noise"):
                crops[k].append(D.crop_resize(D.canary_paste(img, k, crop, rng), crop, size))
    res = {}
    for mode in ("image", "map"):
        sc = {}
        for k, v in crops.items():
            e, p = embed_all(net, np.stack(v), norm)
            sc[k] = g_img.distance(e) if mode == "image" else g_patch.distance(p).reshape(len(v), -1).max(axis=1)
        okmax = float(sc["ok"].max())
        res[mode] = {"ok_max": okmax, "ok_p99_5": float(np.quantile(sc["ok"], 0.995)),
                     **{f"{k}_min": float(sc[k].min()) for k in ("cutpaste", "noise")},
                     **{f"{k}_median": float(np.median(sc[k])) for k in ("cutpaste", "noise")},
                     **{f"{k}_above_ok_max": f"{int((sc[k] > okmax).sum())}/{len(sc[k])}" for k in ("cutpaste", "noise")}}
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="generator folder(s) of OK pairs (labels.csv), comma-separated")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=128)
    ap.add_argument("--widths", default="16,32,64,128")
    ap.add_argument("--window", type=int, default=0,
                    help="training window side in input-scale pixels (default R); the encoder is fully convolutional "
                         "with a global pool, so smaller windows buy more steps in the same time")
    ap.add_argument("--jitter", type=float, default=0.1,
                    help="colour jitter of pasted patches (brightness/contrast/saturation factor +-j, hue +-j turns)")
    ap.add_argument("--scar-scale", type=float, default=0.5,
                    help="scar size factor on the paper's 2-16 x 10-25 px (0.5 = the paper's size at 256 seen at 128)")
    ap.add_argument("--norm", choices=D.NORMS, default="imagenet",
                    help="input normalisation in the graph: ImageNet mean/std or per-image per-channel standardisation")
    ap.add_argument("--flip-paste", type=float, default=0.0,
                    help="share of the cut-paste class made like the agent's canary (flipped square, no/low jitter)")
    ap.add_argument("--seg-weight", type=float, default=0.0,
                    help="weight of the localisation loss (BCE of a 1x1 head on stage 3 vs the pasted area per position)")
    ap.add_argument("--score-from", choices=D.SCORE_FROM, default="image",
                    help="decision score written into gaussian.npz: pooled-embedding distance or max of the patch map")
    ap.add_argument("--canary", default="", help="optional folder of OK pairs (full size) for a simulated canary")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=16, help="normal windows per step (x3 with the two augmentations)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time-budget", type=float, default=540, help="safety stop for the training loop, seconds")
    ap.add_argument("--val", default="", help="optional generator folder with OK+NG pairs (NOT 303/404): quick AP")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out_dir, exist_ok=True)
    widths = tuple(int(w) for w in a.widths.split(","))
    win = a.window or a.input
    t0 = time.time()

    folders = [f for f in a.data.split(",") if f]
    rows, scaled = [], []
    for folder in folders:
        fr = [dict(r, image=os.path.join(folder, r["image"])) for r in read_rows(folder) if r["label"] == "OK"]
        rows += fr
        scaled += load_scaled("", fr, a.crop, a.input)
    t_load = time.time() - t0
    print(f"loaded {len(scaled)} OK images in {t_load:.0f}s", flush=True)

    net = D.CutPasteNet(widths)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    labels = torch.tensor([0] * a.batch + [1] * a.batch + [2] * a.batch)
    t1 = time.time()
    losses, accs, step, stopped = [], [], 0, False
    lr_now = a.lr
    for step in range(1, a.steps + 1):
        net.train()
        # cosine decay over the run's progress: steps done or time used, whichever is further along
        # (so a run cut short by --time-budget still ends with a small learning rate)
        progress = min(1.0, max((step - 1) / a.steps, (time.time() - t1) / a.time_budget))
        lr_now = a.lr * 0.5 * (1 + math.cos(math.pi * progress))
        for gr in opt.param_groups:
            gr["lr"] = lr_now
        base = [random_window(scaled[int(rng.integers(len(scaled)))], win, rng) for _ in range(a.batch)]
        cps = [flip_paste(b, rng, a.input / 6, a.jitter) if rng.random() < a.flip_paste else cut_paste(b, rng, a.jitter)
               for b in base]
        scs = [scar(b, rng, a.scar_scale, a.jitter) for b in base]
        batch = base + [c[0] for c in cps] + [c[0] for c in scs]
        x = D.preprocess(torch.from_numpy(np.stack(batch)), a.norm)
        if a.seg_weight > 0:
            masks = np.stack([np.zeros((win, win), np.uint8)] * a.batch + [c[1] for c in cps] + [c[1] for c in scs])
            logits, seg = net.forward_all(x)
            target = F.adaptive_avg_pool2d(torch.from_numpy(masks).float()[:, None], seg.shape[-2:])
            loss = F.cross_entropy(logits, labels) + a.seg_weight * F.binary_cross_entropy_with_logits(seg, target)
        else:
            logits = net(x)
            loss = F.cross_entropy(logits, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        accs.append(float((logits.argmax(1) == labels).float().mean()))
        if step % 25 == 0 or step == 1:
            print(f"step {step}/{a.steps} loss {np.mean(losses[-25:]):.3f} acc {np.mean(accs[-25:]):.3f} "
                  f"lr {lr_now:.2e} t {time.time() - t1:.0f}s", flush=True)
        if time.time() - t1 > a.time_budget:
            stopped = True
            print(f"time budget reached at step {step}", flush=True)
            break
    t_train = time.time() - t1
    net.eval()
    torch.save(net.state_dict(), os.path.join(a.out_dir, "model.pth"))

    # Gaussians on the agent's crops of the training pairs.
    crops = load_crops("", rows, a.crop, a.input)
    emb, patches = embed_all(net, crops, a.norm)
    g_img = D.fit_gaussian(emb)
    g_patch = D.fit_gaussian(patches)
    D.save_gaussians(os.path.join(a.out_dir, "gaussian.npz"), g_img, g_patch, a.norm, a.score_from)
    train_d = g_img.distance(emb)
    print(f"gaussian: image {emb.shape} shrinkage {g_img.shrinkage:.4f}; patch {patches.shape} "
          f"shrinkage {g_patch.shrinkage:.4f}; train distances median {np.median(train_d):.2f} max {train_d.max():.2f}")
    t_total = time.time() - t0

    log = {"pairs": len(rows), "pairs_by_folder": {f: sum(r["image"].startswith(os.path.join(f, "")) for r in rows) for f in folders}, "steps": step, "train_s": round(t_train, 1), "total_s": round(t_total, 1),
           "load_s": round(t_load, 1), "stopped_by_budget": stopped,
           "final_loss": float(np.mean(losses[-25:])), "final_acc": float(np.mean(accs[-25:])),
           "gaussian": {"image_dim": int(emb.shape[1]), "image_n": int(emb.shape[0]), "image_shrinkage": g_img.shrinkage,
                        "patch_dim": int(patches.shape[1]), "patch_n": int(patches.shape[0]),
                        "patch_shrinkage": g_patch.shrinkage, "method": "Ledoit-Wolf (sklearn-equivalent, 1/n)"},
           "args": vars(a)}
    if a.val:
        vrows = read_rows(a.val)
        vc = load_crops(a.val, vrows, a.crop, a.input)
        ve, vp = embed_all(net, vc, a.norm)
        y = np.array([r["label"] == "NG" for r in vrows])
        s = g_img.distance(ve)
        pm = g_patch.distance(vp).reshape(len(vrows), -1).max(axis=1)
        log["val"] = {"folder": a.val, "ap_score": average_precision(s, y), "ap_map_max": average_precision(pm, y)}
        print(f"val: AP(score) {log['val']['ap_score']:.3f}  AP(max patch map) {log['val']['ap_map_max']:.3f}")
    if a.canary:
        log["canary_sim"] = canary_sim(net, g_img, g_patch, a.canary, a.crop, a.input, a.norm, a.seed)
        print("canary (simulated):", json.dumps(log["canary_sim"]))
    with open(os.path.join(a.out_dir, "train_log.json"), "w") as f:
        json.dump(log, f, indent=1)
    print(f"done: {step} steps, train {t_train:.0f}s, total {t_total:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
