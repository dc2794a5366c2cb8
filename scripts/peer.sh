#!/usr/bin/env bash
# Peer comparison (a benchmark, not a test): the agent against the way the lab judges pairs without it
# (scripts/peer_stpm.py: Python, OpenCV, PyTorch eager, one pair at a time), same machine, same model
# weights (read from the agent's ONNX file), same generated pairs, one run. Installs Debian's
# python3-torch, python3-torchvision, python3-opencv and python3-onnx when missing.
#
#   scripts/peer.sh [N]    N pairs of 600×600 (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
./scripts/install-deps.sh
need=()
for p in python3-torch python3-torchvision python3-opencv python3-onnx; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/EdgeAgent/EdgeAgent.csproj -c Release -v quiet -nologo >/dev/null
WORK=$(mktemp -d /tmp/edgeagent-peer-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet src/EdgeAgent/bin/Release/net10.0/linux-x64/edgeagent.dll bench --count "$N" --lone 30 --out "$WORK" | tee "$WORK/bench.txt"
# Debian's interpreter on purpose: a pyenv or venv python in PATH would not see the Debian packages.
/usr/bin/python3 -W ignore scripts/peer_stpm.py --model models/default/stpm_r18_synth.onnx --pairs "$WORK/burst-pairs.txt" | tee "$WORK/peer.txt"
agent=$(awk '/^pipeline \(burst\)/ { print $3 }' "$WORK/bench.txt")
peer=$(awk '/^peer throughput/ { print $3 }' "$WORK/peer.txt")
awk -v a="$agent" -v p="$peer" 'BEGIN { printf "agent %.1f pairs/s, peer %.1f pairs/s: agent/peer %.2f (the peer judges one pair at a time, as the lab scripts do)\n", a, p, a / p }'
