"""Probe: a self-referenced patch density on a trained density encoder (no retraining, no export).

    /usr/bin/python3 models/train/probe_density_self.py --run models/.work/density-run5-canary \
        [--mode diag|knn|global] [--exclude 1] [--fit-dir /work/kinds-data/density-train]

For each crop (agent rule, 256 -> 128) the stage-1/2/3 maps of the trained encoder (norm from the run's
gaussian.npz) are standardised per channel by the same image's own mean/std over positions, then each
position gets a distance: "diag" = RMS of the standardised channels (a per-image diagonal Gaussian);
"knn" = distance to the nearest other position of the same image outside a (2*exclude+1)^2 window
(the repeated layout of a die is like itself); "global" = Mahalanobis distance under one Ledoit-Wolf
Gaussian fitted on the standardised positions of 200 normal training images. score = max over the
central positions (centre `--frac` of the map). Printed per stage and centre fraction: the threshold by
the documented rule on calib-ok (ceil(1000 q)/1000, q = 99.5th pct), the simulated canary
(density.canary_paste) on the seed-31 canary pairs (10 placements per pair) and on the 40 seed-3131
300-px OK pairs (5 per pair), and AP / recall@1 % overkill / recall and overkill at t on the test set.
Results are in models/README.md, density section, "Run 6".
"""
from __future__ import annotations

import argparse
import csv
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
sys.path.insert(0, HERE)
import density as D  # noqa: E402
from train_density import average_precision  # noqa: E402

DATA = "/work/kinds-data"
CROP, R = 256, 128


def rows(root):
    with open(os.path.join(root, "labels.csv"), newline="") as f:
        return list(csv.DictReader(f))


def load(root, rs):
    return [cv2.imread(os.path.join(root, r["image"]), cv2.IMREAD_COLOR) for r in rs]


class Probe:
    def __init__(self, run: str, mode: str, exclude: int, fracs):
        self.enc = D.load_encoder(os.path.join(run, "model.pth")).eval()
        self.norm = D.load_config(os.path.join(run, "gaussian.npz"))["norm"]
        self.mode, self.exclude, self.fracs = mode, exclude, fracs
        self.fit, self.g = None, {}

    @torch.no_grad()
    def maps(self, x_u8):
        e = self.enc
        x = D.normalise(torch.from_numpy(x_u8).permute(0, 3, 1, 2).flip(1).float() / 255.0, self.norm)
        f1 = e.layer1(e.maxpool(e.relu(e.bn1(e.conv1(x)))))
        f2 = e.layer2(f1)
        return {"s1": f1, "s2": f2, "s3": e.layer3(f2)}

    def distance(self, f, stage):
        m = f.mean(dim=(2, 3), keepdim=True)
        z = (f - m) / torch.sqrt(((f - m) ** 2).mean(dim=(2, 3), keepdim=True) + 1e-4)
        n, c, h, w = z.shape
        if self.mode == "diag":
            return torch.sqrt((z * z).mean(dim=1))
        if self.mode == "knn":
            p = z.flatten(2).transpose(1, 2)                                   # N,hw,C
            d2 = (p * p).sum(-1, keepdim=True) + (p * p).sum(-1).unsqueeze(1) - 2 * p @ p.transpose(1, 2)
            yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
            yy, xx = yy.flatten(), xx.flatten()
            near = ((yy[:, None] - yy[None]).abs() <= self.exclude) & ((xx[:, None] - xx[None]).abs() <= self.exclude)
            d2 = d2 + near.float() * 1e6
            return torch.sqrt(torch.clamp(d2.amin(-1), min=0) / c).view(n, h, w)
        if self.fit is not None:                                               # global: collecting
            self.fit.setdefault(stage, []).append(z.permute(0, 2, 3, 1).reshape(-1, c).numpy())
            return torch.zeros(n, h, w)
        g = self.g[stage]
        d = z - torch.tensor(g.mean, dtype=torch.float32).view(1, -1, 1, 1)
        q = (torch.nn.functional.conv2d(d, torch.tensor(g.inv_cov, dtype=torch.float32)[:, :, None, None]) * d).sum(1)
        return torch.sqrt(torch.clamp(q, min=0))

    def scores(self, imgs):
        x = np.stack([D.crop_resize(im, CROP, R) for im in imgs])
        out = {}
        for i in range(0, len(x), 40):
            for s, f in self.maps(x[i:i + 40]).items():
                d = self.distance(f, s)
                h = d.shape[1]
                for fr in self.fracs:
                    k, c = max(1, int(round(h * fr / 2))), h // 2
                    out.setdefault((s, fr), []).append(d[:, c - k:c + k, c - k:c + k].amax(dim=(1, 2)).numpy())
        return {k: np.concatenate(v) for k, v in out.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="folder with model.pth and gaussian.npz")
    ap.add_argument("--mode", choices=("diag", "knn", "global"), default="diag")
    ap.add_argument("--exclude", type=int, default=1, help="knn: half-width of the own window left out")
    ap.add_argument("--fracs", default="0.5,0.75,1.0")
    ap.add_argument("--fit-dir", default=os.path.join(DATA, "density-train"))
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    p = Probe(a.run, a.mode, a.exclude, [float(v) for v in a.fracs.split(",")])
    if a.mode == "global":
        p.fit = {}
        p.scores(load(a.fit_dir, [r for r in rows(a.fit_dir) if r["label"] == "OK"][:200]))
        p.g = {k: D.fit_gaussian(np.concatenate(v).astype(np.float64)) for k, v in p.fit.items()}
        p.fit = None
    rng = np.random.default_rng(0)
    canary = {}
    for name, per in (("density-canary-s31", 10), ("density-canary-s3131", 5)):
        root = os.path.join(DATA, name)
        ims = load(root, [r for r in rows(root) if r["label"] == "OK"])
        canary[name] = (p.scores(ims),
                        p.scores([D.canary_paste(im, "cutpaste", CROP, rng) for im in ims for _ in range(per)]),
                        p.scores([D.canary_paste(im, "noise", CROP, rng) for im in ims for _ in range(per)]))
    cal = p.scores(load(os.path.join(DATA, "calib-ok"), rows(os.path.join(DATA, "calib-ok"))))
    trs = rows(os.path.join(DATA, "test"))
    te = p.scores(load(os.path.join(DATA, "test"), trs))
    lab = np.array([r["label"] == "NG" for r in trs])
    for k in cal:
        t = float(np.ceil(1000 * np.quantile(cal[k], 0.995)) / 1000)
        line = f"{a.mode} {k[0]} centre {k[1]}: t={t:.3f}"
        for name, (ok, cp, nz) in canary.items():
            line += (f" | {name[15:]}: OK {np.sum(ok[k] < t)}/{len(ok[k])} (max {ok[k].max():.2f})"
                     f" CutPaste {np.sum(cp[k] >= t)}/{len(cp[k])} (median {np.median(cp[k]):.2f})"
                     f" noise {np.sum(nz[k] >= t)}/{len(nz[k])}")
        s = te[k]
        okt = s[~lab]
        t1 = np.sort(okt)[int(np.ceil(0.99 * len(okt))) - 1]
        line += (f" | test AP {average_precision(s, lab):.3f} recall@1% {np.mean(s[lab] > t1):.2f}"
                 f" recall/overkill@t {np.mean(s[lab] >= t):.2f}/{np.mean(okt >= t):.2f}")
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
