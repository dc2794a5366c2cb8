#!/usr/bin/env bash
# Builds one flavour of the package: a self-contained linux-x64 publish under /opt/edgeagent, the configuration in
# /etc/edgeagent/ (a conffile: kept on upgrade), the unit from ../systemd/, and maintainer scripts that create the
# `edgeagent` system user and /var/lib/edgeagent (data, models, quarantine: never part of the package, so upgrades
# keep them; purge deletes them).
#
#   gpu (default, the product)  edgeagent_<version>_amd64.deb      ONNX Runtime GPU (CUDA 13 / TensorRT 10 providers;
#                                                                   runs on CPU where the NVIDIA libraries are missing)
#   cpu                         edgeagent-cpu_<version>_amd64.deb  ONNX Runtime CPU only, much smaller
# Both install the same files, so each Conflicts/Replaces the other: installing one swaps the flavour.
#
#   packaging/build-deb.sh [--flavour gpu|cpu] [--version V] [--out DIR] [--publish DIR]
#     --flavour  which ONNX Runtime the package carries (default gpu)
#     --version  package version (default: <Version> of src/EdgeAgent/EdgeAgent.csproj)
#     --publish  reuse an earlier self-contained publish of the same flavour instead of publishing again
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/EdgeAgent/EdgeAgent.csproj)
OUT=. FLAVOUR=gpu PUBLISH=""
while [ $# -gt 0 ]; do
  case "$1" in
    --flavour) FLAVOUR=$2; shift ;;
    --version) VERSION=$2; shift ;;
    --out) OUT=$2; shift ;;
    --publish) PUBLISH=$2; shift ;;
    *) echo "build-deb.sh: unknown argument $1" >&2; exit 64 ;;
  esac
  shift
done
case "$FLAVOUR" in
  gpu) PACKAGE=edgeagent OTHER=edgeagent-cpu SUMMARY=" (GPU runtime: CUDA 13 / TensorRT 10, CPU fallback)" ;;
  cpu) PACKAGE=edgeagent-cpu OTHER=edgeagent SUMMARY=" (CPU-only runtime)" ;;
  *) echo "build-deb.sh: --flavour must be gpu or cpu, not $FLAVOUR" >&2; exit 64 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
STAGE=$(mktemp -d /tmp/edgeagent-deb-XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
if [ -z "$PUBLISH" ]; then
  PUBLISH=$STAGE/publish
  # The assembly keeps the csproj's version (what --version prints); the package version may carry a suffix.
  dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -r linux-x64 --self-contained true \
    -p:EdgeAgentFlavour="$FLAVOUR" -p:DebugType=none -o "$PUBLISH" -v quiet -nologo
fi
# A publish of the other flavour would ship the wrong runtime under this package's name.
if [ "$FLAVOUR" = gpu ] && [ ! -f "$PUBLISH/libonnxruntime_providers_cuda.so" ]; then
  echo "build-deb.sh: $PUBLISH has no CUDA provider: not a GPU-flavour publish" >&2; exit 65
fi
if [ "$FLAVOUR" = cpu ] && [ -f "$PUBLISH/libonnxruntime_providers_cuda.so" ]; then
  echo "build-deb.sh: $PUBLISH has the CUDA provider: not a CPU-flavour publish" >&2; exit 65
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
size=$(du -sk "$ROOT/opt" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: $PACKAGE
Version: $VERSION
Architecture: amd64
Maintainer: EdgeAgent team <edgeagent@localhost>
Installed-Size: $size
Depends: adduser, libc6, libstdc++6, libgcc-s1, zlib1g, libgtk-3-0 | libgtk-3-0t64
Recommends: mosquitto-clients
Conflicts: $OTHER
Replaces: $OTHER
Section: misc
Priority: optional
Description: AOI re-inspection agent for semiconductor packaging lines$SUMMARY
 Watches the AOI's output folder, aligns each suspect to its template, runs an STPM
 ONNX model and publishes OK/NG/REVIEW/ERROR verdicts over MQTT, logged locally.
CONTROL
mkdir -p "$OUT"
deb="$OUT/${PACKAGE}_${VERSION}_amd64.deb"
# ${EDGEAGENT_DEB_COMPRESSION} only for measuring alternatives; see the README's packaging numbers for the choice.
# shellcheck disable=SC2086
dpkg-deb --root-owner-group ${EDGEAGENT_DEB_COMPRESSION:--Zzstd -z3} --build "$ROOT" "$deb" >/dev/null
echo "$deb"
