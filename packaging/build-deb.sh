#!/usr/bin/env bash
# Builds edgeagent_<version>_amd64.deb: a self-contained linux-x64 publish under /opt/edgeagent, the
# configuration in /etc/edgeagent/ (a conffile: kept on upgrade), the unit from ../systemd/, and maintainer
# scripts that create the `edgeagent` system user and /var/lib/edgeagent (data, models, quarantine: never
# part of the package, so upgrades keep them; purge deletes them).
#
#   packaging/build-deb.sh [--version V] [--out DIR] [--gpu] [--publish DIR]
#     --version  package version (default: <Version> of src/EdgeAgent/EdgeAgent.csproj)
#     --gpu      the GPU flavour: built with Microsoft.ML.OnnxRuntime.Gpu (restore it from a feed that has it)
#     --publish  reuse an earlier self-contained publish instead of publishing again
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/EdgeAgent/EdgeAgent.csproj)
OUT=. GPU=false PUBLISH=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION=$2; shift ;;
    --out) OUT=$2; shift ;;
    --gpu) GPU=true ;;
    --publish) PUBLISH=$2; shift ;;
    *) echo "build-deb.sh: unknown argument $1" >&2; exit 64 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
STAGE=$(mktemp -d /tmp/edgeagent-deb-XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
if [ -z "$PUBLISH" ]; then
  PUBLISH=$STAGE/publish
  # The assembly keeps the csproj's version (what --version prints); the package version may carry a suffix.
  dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -r linux-x64 --self-contained true \
    -p:EdgeAgentGpu="$GPU" -p:DebugType=none -o "$PUBLISH" -v quiet -nologo
fi

ROOT=$STAGE/root
install -d "$ROOT/opt/edgeagent" "$ROOT/etc/edgeagent/trusted-keys" "$ROOT/lib/systemd/system" "$ROOT/DEBIAN"
cp -a "$PUBLISH/." "$ROOT/opt/edgeagent/"
cp README.md "$ROOT/opt/edgeagent/README.md"
install -m 0644 packaging/debian/edgeagent.json "$ROOT/etc/edgeagent/edgeagent.json"
install -m 0644 systemd/edgeagent.service "$ROOT/lib/systemd/system/edgeagent.service"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$ROOT/DEBIAN/$script"
done
echo "/etc/edgeagent/edgeagent.json" > "$ROOT/DEBIAN/conffiles"
flavour=""; [ "$GPU" = true ] && flavour=" (GPU: CUDA/TensorRT ONNX Runtime)"
size=$(du -sk "$ROOT/opt" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: edgeagent
Version: $VERSION
Architecture: amd64
Maintainer: EdgeAgent team <edgeagent@localhost>
Installed-Size: $size
Depends: adduser, libc6, libstdc++6, libgcc-s1, zlib1g, libgtk-3-0 | libgtk-3-0t64
Recommends: mosquitto-clients
Section: misc
Priority: optional
Description: AOI re-inspection agent for semiconductor packaging lines$flavour
 Watches the AOI's output folder, aligns each suspect to its template, runs an STPM
 ONNX model and publishes OK/NG/REVIEW/ERROR verdicts over MQTT, logged locally.
CONTROL
mkdir -p "$OUT"
deb="$OUT/edgeagent_${VERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$ROOT" "$deb" >/dev/null
echo "$deb"
