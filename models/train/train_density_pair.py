"""Training recipe of the pair density model (run 7 in models/README.md, "Density kind"): CutPaste
self-supervision on OK pairs, with the template as the reference.

    /usr/bin/python3 models/train/train_density_pair.py --data DIR[,DIR2] --out-dir RUN --crop 256 --input 128 \
        --widths 16,32 --stage 2 --centre 0.75 --pool 3 --flip-paste 0.4 --noise-paste 0.25 --seg-weight 1 \
        --time-budget 360      (the bundled recipe; make_density_model.sh)

Each step: B random R x R windows of B training pairs (image and template cut at the same place, at the
model's input scale: both INTER_AREA-scaled by R/C once, so a window is what the agent's crop + resize
gives), the same flip / 90-degree rotation on both; the B windows as they are (normal), with a
cut-paste (a share --flip-paste of them made like the agent's canary: a flipped square of the same
window) and with a scar, pasted into the IMAGE only. The encoder sees gray(image) and the template,
each standardised over the window; d = f(image) - f(template). Losses: CutPaste 3-way cross-entropy on
the pooled d^2 (mean and max over positions) + --seg-weight x BCE of a 1x1 head on d^2 against the
pasted share of each position's cell. After training: a Ledoit-Wolf Gaussian of d at every position of
the agent's crops (centre C -> R) of the training pairs -> RUN/gaussian.npz (score_from "pair-map", with
the readout: --pool, the local mean of the distance map, and --centre, the share of it the score's max reads).

Writes RUN/model.pth (PairCutPasteNet state_dict), RUN/gaussian.npz, RUN/train_log.json.
"""
from __future__ import annotations

import argparse
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
sys.path.insert(0, HERE)
import density as D  # noqa: E402
from train_density import cut_paste, flip_paste, read_rows, scar  # noqa: E402


def load_pairs(folders, crop: int, size: int):
    """OK pairs of the folders: (scaled images, scaled templates, agent crops of images, of templates)."""
    s = size / crop
    ims, tps, cims, ctps, n_by = [], [], [], [], {}
    for folder in folders:
        rows = [r for r in read_rows(folder) if r["label"] == "OK"]
        n_by[folder] = len(rows)
        for r in rows:
            im = cv2.imread(os.path.join(folder, r["image"]), cv2.IMREAD_COLOR)
            tp = cv2.imread(os.path.join(folder, r["template"]), cv2.IMREAD_GRAYSCALE)
            cims.append(D.crop_resize(im, crop, size))
            ctps.append(D.crop_resize(tp, crop, size))
            if s != 1:
                dsize = (round(im.shape[1] * s), round(im.shape[0] * s))
                im = cv2.resize(im, dsize, interpolation=cv2.INTER_AREA)
                tp = cv2.resize(tp, dsize, interpolation=cv2.INTER_AREA)
            ims.append(im)
            tps.append(tp)
    return ims, tps, np.stack(cims), np.stack(ctps), n_by


def noise_paste(img: np.ndarray, rng: np.random.Generator, side: float, scale: float):
    """An ellipse (diameter side x U(0.6, 1.4), aspect up to 2, random angle) of uniform RGB noise,
    blended with opacity U(0.5, 1): "nothing like the template". The noise is drawn at the crop's
    resolution (scale = C/R) and INTER_AREA-reduced, as the agent's resize reduces a full-resolution
    blotch. Returns (image, mask)."""
    r = img.shape[0]
    d = int(np.clip(round(side * rng.uniform(0.6, 1.4)), 4, r // 2))
    axes = (max(2, d // 2), max(2, int(d / 2 / rng.uniform(1.0, 2.0))))
    cx, cy = (int(v) for v in rng.integers(d // 2, r - d // 2, 2))
    big = max(d, round(r * scale))
    noise = rng.integers(0, 256, (big, big, 3), dtype=np.uint8)
    noise = cv2.resize(noise, (r, r), interpolation=cv2.INTER_AREA) if big != r else noise
    mask = np.zeros((r, r), np.uint8)
    cv2.ellipse(mask, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    alpha = rng.uniform(0.5, 1.0)
    out = img.astype(np.float32)
    m = mask[..., None].astype(bool)
    out = np.where(m, (1 - alpha) * out + alpha * noise.astype(np.float32), out)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), mask


def pair_window(im: np.ndarray, tp: np.ndarray, size: int, rng: np.random.Generator):
    h, w = im.shape[:2]
    y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    a, b = im[y:y + size, x:x + size], tp[y:y + size, x:x + size]
    if rng.random() < 0.5:
        a, b = a[:, ::-1], b[:, ::-1]
    k = int(rng.integers(0, 4))
    return np.ascontiguousarray(np.rot90(a, k)), np.ascontiguousarray(np.rot90(b, k))


@torch.no_grad()
def pair_diffs(enc: D.PairEncoder, cims: np.ndarray, ctps: np.ndarray, bs: int = 50) -> np.ndarray:
    """d at every position of every crop, [n*h*w, C] float64."""
    enc.eval()
    out = []
    for i in range(0, len(cims), bs):
        d = enc.diff(D.gray_image(torch.from_numpy(cims[i:i + bs])), D.gray_template(torch.from_numpy(ctps[i:i + bs, :, :, None])))
        out.append(d.double().permute(0, 2, 3, 1).reshape(-1, d.shape[1]).numpy())
    return np.concatenate(out)


def paste(b: np.ndarray, rng: np.random.Generator, a: argparse.Namespace):
    """One member of the cut-paste class: a noise blotch (--noise-paste), a canary-like flipped square
    (--flip-paste) or the paper's jittered rectangle (the rest)."""
    u = rng.random()
    if u < a.noise_paste:
        return noise_paste(b, rng, a.input / 6, a.crop / a.input)
    if u < a.noise_paste + a.flip_paste:
        return flip_paste(b, rng, a.input / 6, a.jitter)
    return cut_paste(b, rng, a.jitter)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="generator folder(s) of OK pairs (labels.csv), comma-separated")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=128)
    ap.add_argument("--widths", default="16,32", help="stage-1,stage-2 widths")
    ap.add_argument("--stage", type=int, choices=D.PAIR_STAGES, default=2, help="the feature map the density reads")
    ap.add_argument("--centre", type=float, default=1.0, help="score = max over this central share of the map's rows/columns")
    ap.add_argument("--pool", type=int, default=3,
                    help="anomaly_map = mean of the per-position distance over pool x pool cells (odd; 1 = none)")
    ap.add_argument("--jitter", type=float, default=0.3, help="colour jitter of pasted patches")
    ap.add_argument("--scar-scale", type=float, default=1.0)
    ap.add_argument("--flip-paste", type=float, default=0.5, help="share of the cut-paste class made like the canary")
    ap.add_argument("--noise-paste", type=float, default=0.25,
                    help="share of the cut-paste class made as a blotch of uniform noise (the other foreign patch the canary uses)")
    ap.add_argument("--seg-weight", type=float, default=1.0, help="weight of the dense 'pasted here' loss")
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=16, help="windows per step (x3: normal, cut-paste, scar)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time-budget", type=float, default=300, help="safety stop for the training loop, seconds")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out_dir, exist_ok=True)
    widths = tuple(int(w) for w in a.widths.split(","))
    D.central_window(a.input // 8, a.centre)   # validates --centre
    win = a.input
    t0 = time.time()
    folders = [f for f in a.data.split(",") if f]
    ims, tps, cims, ctps, n_by = load_pairs(folders, a.crop, a.input)
    t_load = time.time() - t0
    print(f"loaded {len(ims)} OK pairs in {t_load:.0f}s", flush=True)

    net = D.PairCutPasteNet(widths, a.stage)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    labels = torch.tensor([0] * a.batch + [1] * a.batch + [2] * a.batch)
    t1 = time.time()
    losses, accs, step, stopped = [], [], 0, False
    for step in range(1, a.steps + 1):
        net.train()
        # cosine decay over the run's progress: steps done or time used, whichever is further along
        progress = min(1.0, max((step - 1) / a.steps, (time.time() - t1) / a.time_budget))
        for gr in opt.param_groups:
            gr["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * progress))
        pairs = [pair_window(ims[i], tps[i], win, rng) for i in rng.integers(0, len(ims), a.batch)]
        base = [p[0] for p in pairs]
        cps = [paste(b, rng, a) for b in base]
        scs = [scar(b, rng, a.scar_scale, a.jitter) for b in base]
        imgs = D.gray_image(torch.from_numpy(np.stack(base + [c[0] for c in cps] + [c[0] for c in scs])))
        tmpl = D.gray_template(torch.from_numpy(np.stack([p[1] for p in pairs])[..., None]))
        logits, seg = net(imgs, tmpl)
        loss = F.cross_entropy(logits, labels)
        if a.seg_weight > 0:
            masks = np.stack([np.zeros((win, win), np.uint8)] * a.batch + [c[1] for c in cps] + [c[1] for c in scs])
            target = F.adaptive_avg_pool2d(torch.from_numpy(masks).float()[:, None], seg.shape[-2:])
            loss = loss + a.seg_weight * F.binary_cross_entropy_with_logits(seg, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        accs.append(float((logits.argmax(1) == labels).float().mean()))
        if step % 25 == 0 or step == 1:
            print(f"step {step} loss {np.mean(losses[-25:]):.3f} acc {np.mean(accs[-25:]):.3f} t {time.time() - t1:.0f}s", flush=True)
        if time.time() - t1 > a.time_budget:
            stopped = True
            break
    t_train = time.time() - t1
    net.eval()
    torch.save(net.state_dict(), os.path.join(a.out_dir, "model.pth"))

    d = pair_diffs(net.encoder, cims, ctps)
    g = D.fit_gaussian(d)
    D.save_pair_gaussian(os.path.join(a.out_dir, "gaussian.npz"), g, a.centre, a.pool)
    t_total = time.time() - t0
    print(f"gaussian: {d.shape} shrinkage {g.shrinkage:.4f}; done: {step} steps, train {t_train:.0f}s, total {t_total:.0f}s")
    log = {"pairs": len(ims), "pairs_by_folder": n_by, "steps": step, "train_s": round(t_train, 1),
           "total_s": round(t_total, 1), "load_s": round(t_load, 1), "stopped_by_budget": stopped,
           "final_loss": float(np.mean(losses[-25:])), "final_acc": float(np.mean(accs[-25:])),
           "gaussian": {"dim": int(d.shape[1]), "n": int(d.shape[0]), "shrinkage": g.shrinkage,
                        "method": "Ledoit-Wolf (sklearn-equivalent, 1/n)"},
           "args": vars(a)}
    with open(os.path.join(a.out_dir, "train_log.json"), "w") as f:
        json.dump(log, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
