"""Write a randomly initialised (torchvision default init, fixed seed) layer1..3 state_dict.

    /usr/bin/python3 models/export/random_backbone.py --arch resnet18 --seed 11 --out T.pth

Used for the contract-test model (models/golden/stpm_r18_c320_r160.onnx): its numbers only have to
be reproducible, not meaningful.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stpm  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--arch", required=True, choices=stpm.ARCHS)
ap.add_argument("--seed", type=int, required=True)
ap.add_argument("--out", required=True)
a = ap.parse_args()
torch.save(stpm.seeded_backbone(a.arch, a.seed).state_dict(), a.out)
print(f"wrote {a.out} ({a.arch}, seed {a.seed}) sha256 {stpm.sha256_file(a.out)}")
