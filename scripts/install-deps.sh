#!/usr/bin/env bash
# Installs the native packages EdgeAgent needs on Debian 12 / Ubuntu 22.04+, only those missing.
#   libgtk-3-0  OpenCvSharp's official Linux runtime links GTK3/X11 (DllNotFoundException without it)
#   mosquitto   the real MQTT broker the integration tests start on a free loopback port
set -euo pipefail

need=()
gtk=libgtk-3-0
if ! apt-cache show "$gtk" >/dev/null 2>&1 || apt-cache show libgtk-3-0t64 >/dev/null 2>&1; then
  gtk=libgtk-3-0t64 # Ubuntu 24.04 renamed it
fi
for pkg in "$gtk" mosquitto; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
