#!/usr/bin/env bash
# Installs the native packages EdgeAgent needs on Debian 12 / Ubuntu 22.04+, only those missing.
#   libgtk-3-0  OpenCvSharp's official Linux runtime links GTK3/X11 (DllNotFoundException without it);
#               Ubuntu 24.04 calls it libgtk-3-0t64
#   mosquitto   the real MQTT broker the integration tests start on a free loopback port
#   chromium    the headless browser the dashboard's browser test drives over the DevTools protocol
#   prometheus  the real Prometheus server the /metrics test starts to scrape the agent and query its counters
#   python3-torch, python3-torchvision, python3-onnx, python3-opencv
#               the lab's recipes (models/train): the labels-export test trains train_stpm.py for one epoch on
#               an export, proving the loop export -> train -> sign -> push runs on what the box writes
#   python3-cryptography, python3-paho-mqtt
#               the README's consumer example (docs/verify_verdicts.py), which a test runs against the real broker
#               to prove it verifies the box's signed verdicts and drops spoofs
#   fuse3, python3-fusepy
#               the power-cut tests' file system (tests/EdgeAgent.Testing/PowerCut/lazyfs.py): fusermount3 (setuid, so
#               the tests mount without root) and the Python binding it is written against; needs /dev/fuse
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

need=()
installed libgtk-3-0 || installed libgtk-3-0t64 || need+=(gtk)
installed mosquitto || need+=(mosquitto)
installed chromium || need+=(chromium)
installed prometheus || need+=(prometheus)
installed python3-torch || need+=(python3-torch)
installed python3-torchvision || need+=(python3-torchvision)
installed python3-onnx || need+=(python3-onnx)
installed python3-opencv || need+=(python3-opencv)
installed python3-cryptography || need+=(python3-cryptography)
installed python3-paho-mqtt || need+=(python3-paho-mqtt)
installed fuse3 || need+=(fuse3)
installed python3-fusepy || need+=(python3-fusepy)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -q
gtk=libgtk-3-0
if apt-cache show libgtk-3-0t64 >/dev/null 2>&1; then gtk=libgtk-3-0t64; fi
packages=("${need[@]/gtk/$gtk}")
echo "install-deps: installing ${packages[*]}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
