"""Train an EdgeAgent MemSeg model (contract memseg-map/1) on OK pairs of the synthetic generator.

    /usr/bin/python3 models/train/train_memseg.py --data DIR --memory template|baked --out W.pth \
        [--bank-size 4 --crop 256 --input 128 --steps 400 --batch 8 --lr 2e-3 --time-budget 480]

Encoder: no ImageNet weights exist here, so (as for the STPM teacher) it is a randomly initialised
half-width ResNet18 (conv1..layer3, widths 32/64/128, fixed --encoder-seed) whose BatchNorm running
statistics are re-estimated on training crops (colour images as the decoder sees them, standardised
gray images and templates as the memory comparison sees them; train-mode forward passes, no
gradient), then frozen.
Memory comparison on like inputs: the image's gray (contract formula), standardised per image, vs
memory = `template`: the pair's own template crop, standardised the same way; or `baked`: the same
features of --bank-size normal training images (centre crops, half UBM half M1, kept out of
training), the L2-closest one chosen per input.
Decoder (trained): [F_in (colour image), (F_cmp - F_mem)^2] per scale -> fusion -> U-Net -> sigmoid.
Training samples: a C x C window at the same random position in image and template (same random
flip / 90-degree rotation), INTER_AREA to R; with probability --anomaly-p the image gets a synthetic
anomaly (memseg.synth_anomaly) and the mask is the target, else the target is all zero.
Loss 0.6 L1 + 0.4 focal (gamma 4), Adam, cosine decay.

Writes OUT (.pth: encoder, decoder, bank, memory, input) and OUT with .json (training log).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import memseg as M  # noqa: E402
import reference  # noqa: E402


def read_labels(root: str, label: str | None = None) -> list:
    with open(os.path.join(root, "labels.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if label is None or r["label"] == label]


def load_pairs(root: str, rows: list) -> list:
    out = []
    for r in rows:
        t = reference.read_template(os.path.join(root, r["template"]))
        im = reference.read_image(os.path.join(root, r["image"]))
        out.append((t, im))
    return out


def window(t, im, rng, crop, inp, jitter):
    h, w = t.shape
    if jitter:
        y0, x0 = int(rng.integers(0, h - crop + 1)), int(rng.integers(0, w - crop + 1))
    else:
        y0, x0 = (h - crop) // 2, (w - crop) // 2
    tc, ic = t[y0:y0 + crop, x0:x0 + crop], im[y0:y0 + crop, x0:x0 + crop]
    if jitter:
        k = int(rng.integers(0, 4))
        tc, ic = np.rot90(tc, k), np.rot90(ic, k)
        if rng.integers(0, 2):
            tc, ic = tc[:, ::-1], ic[:, ::-1]
    tc, ic = np.ascontiguousarray(tc), np.ascontiguousarray(ic)
    if inp != crop:
        tc = cv2.resize(tc, (inp, inp), interpolation=cv2.INTER_AREA)
        ic = cv2.resize(ic, (inp, inp), interpolation=cv2.INTER_AREA)
    return tc, ic


def sample(pairs, idx, rng, a, anomalies: bool):
    ts, ims, ms = [], [], []
    for i in idx:
        tc, ic = window(*pairs[i], rng, a.crop, a.input, jitter=True)
        m = np.zeros((a.input, a.input), np.float32)
        if anomalies and rng.random() < a.anomaly_p:
            _, other = window(*pairs[int(rng.integers(0, len(pairs)))], rng, a.crop, a.input, jitter=True)
            ic, m = M.synth_anomaly(ic, other, rng)
        ts.append(tc[:, :, None])
        ims.append(ic)
        ms.append(m[None])
    return (torch.from_numpy(np.stack(ims)), torch.from_numpy(np.stack(ts)), torch.from_numpy(np.stack(ms)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="generator output dir (labels.csv); OK pairs are used")
    ap.add_argument("--memory", required=True, choices=("template", "baked"))
    ap.add_argument("--bank-size", type=int, default=4, help="N normal images in a baked memory")
    ap.add_argument("--out", required=True, help="output .pth")
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=128)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--anomaly-p", type=float, default=0.7)
    ap.add_argument("--max-pairs", type=int, default=0)
    ap.add_argument("--encoder-seed", type=int, default=20240611)
    ap.add_argument("--calib-batches", type=int, default=8, help="BN calibration batches of 16 crops")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-budget", type=float, default=0, help="stop training after this many seconds (0 = off)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    M.validate_geometry(a.crop, a.input)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()

    rows = read_labels(a.data, "OK")
    if a.max_pairs:
        rows = rows[:a.max_pairs]
    bank_rows = []
    if a.memory == "baked":
        for prod in ("UBM", "M1"):
            bank_rows += [r for r in rows if r["product"] == prod][:(a.bank_size + (prod == "UBM")) // 2]
        bank_rows = bank_rows[:a.bank_size]
        ids = {r["id"] for r in bank_rows}
        rows = [r for r in rows if r["id"] not in ids]
    pairs = load_pairs(a.data, rows)
    t_load = time.time() - t0
    print(f"loaded {len(pairs)} OK pairs in {t_load:.1f}s", flush=True)

    enc = M.seeded_encoder(a.encoder_seed)
    net_tmp = M.MemSegNet(enc, M.Decoder(), a.input, "template")

    def calib_batches():
        for _ in range(a.calib_batches):
            idx = rng.choice(len(pairs), size=8, replace=False)
            im, t, _ = sample(pairs, idx, rng, a, anomalies=False)
            yield torch.cat([net_tmp.prep_image(im[:4]), net_tmp.compare_image(im[4:]), net_tmp.compare_template(t)])
    n_cal = M.calibrate_bn(enc, calib_batches())
    enc.eval().requires_grad_(False)

    bank = None
    if a.memory == "baked":
        bp = load_pairs(a.data, bank_rows)
        crops = [window(t, im, rng, a.crop, a.input, jitter=False)[1] for t, im in bp]
        with torch.no_grad():
            f = enc(net_tmp.compare_image(torch.from_numpy(np.stack(crops))))
        bank = [x.clone() for x in f[1:]]
    torch.manual_seed(a.seed + 1)
    dec = M.Decoder()
    net = M.MemSegNet(enc, dec, a.input, a.memory, bank)
    print(f"encoder BN calibrated on {n_cal} crops; memory {a.memory}"
          f"{' (' + ', '.join(r['id'] for r in bank_rows) + ')' if bank_rows else ''}; "
          f"decoder {M.param_count(dec)} params", flush=True)

    opt = torch.optim.Adam(dec.parameters(), lr=a.lr)
    # cosine decay over the run's progress = max(step / --steps, elapsed / --time-budget), so a
    # run cut by the time budget still ends with a decayed learning rate
    log = {"args": vars(a), "pairs": len(pairs), "bank_ids": [r["id"] for r in bank_rows],
           "load_s": round(t_load, 1), "loss": []}
    t_train = time.time()
    step, stopped, run = 0, False, np.zeros(3)
    while step < a.steps:
        idx = rng.choice(len(pairs), size=a.batch, replace=False)
        im, t, m = sample(pairs, idx, rng, a, anomalies=True)
        dec.train()
        logits = net.logits(im, t if a.memory == "template" else None)
        loss, l1, fl = M.memseg_loss(logits, m)
        progress = max(step / a.steps, (time.time() - t_train) / a.time_budget if a.time_budget else 0.0)
        for g in opt.param_groups:
            g["lr"] = a.lr * 0.5 * (1 + np.cos(np.pi * min(progress, 1.0)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        run = 0.9 * run + 0.1 * np.array([float(loss), l1, fl]) if step > 1 else np.array([float(loss), l1, fl])
        if step == 1 or step % 20 == 0:
            el = time.time() - t_train
            print(f"step {step}/{a.steps} loss {run[0]:.4f} (l1 {run[1]:.4f} focal {run[2]:.4f}) {el / step:.2f}s/step",
                  flush=True)
            log["loss"].append([step, round(float(run[0]), 5), round(float(run[1]), 5), round(float(run[2]), 5)])
        if a.time_budget and time.time() - t_train > a.time_budget:
            stopped = True
            print(f"time budget {a.time_budget}s reached after {step} steps", flush=True)
            break
    net.eval()
    log.update(train_s=round(time.time() - t_train, 1), steps=step, stopped_by_budget=stopped,
               total_s=round(time.time() - t0, 1))
    M.save_model(net, a.out)
    with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
        json.dump(log, f, indent=1)
    print(f"trained {step} steps in {log['train_s']}s (total {log['total_s']}s); wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
