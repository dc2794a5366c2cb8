#!/usr/bin/env bash
# The package's life on this machine, as a line engineer goes through it (CI runs this after the tests), for both
# flavours. GPU (the product): build the .deb, install it, run `edgeagent --version` and `edgeagent doctor` from the
# installed files (on a box without the NVIDIA stack doctor must name the missing CUDA libraries), judge a generated
# pair with the installed `edgeagent inspect` (the GPU runtime falling back to CPU), check the unit with
# `systemd-analyze verify`, upgrade to a rebuilt package and check that the edited configuration and the data
# survived and that a link planted at /var/lib/edgeagent/aoi was not followed by the postinst, then purge and check that nothing is left. CPU: build, install, --version, doctor, inspect, purge.
# Both: libsodium.so (the box key's Ed25519) is in /opt/edgeagent and loads (doctor's "box key" line).
# Prints each package's build time and size. Needs root (or sudo): it really installs the packages.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
fail() { echo "check-deb: FAILED: $*" >&2; exit 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for package in edgeagent edgeagent-cpu; do
  if installed "$package"; then
    fail "$package is already installed on this machine; this check installs and purges it (remove it first)"
  fi
done
# systemd-analyze comes with the systemd package, which a minimal Debian image (a container) lacks.
if ! command -v systemd-analyze >/dev/null; then
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >/dev/null
fi
OUT=$(mktemp -d /tmp/edgeagent-check-deb-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/EdgeAgent/EdgeAgent.csproj)

publish() { # flavour
  local start=$SECONDS
  dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -r linux-x64 --self-contained true -p:EdgeAgentFlavour="$1" \
    -p:DebugType=none -o "$OUT/publish-$1" -v quiet -nologo
  echo "check-deb: published the $1 flavour in $((SECONDS - start)) s ($(du -sh "$OUT/publish-$1" | cut -f1))" >&2
}
build() { # flavour version → path of the .deb
  local start=$SECONDS deb
  deb=$(packaging/build-deb.sh --flavour "$1" --version "$2" --out "$OUT" --publish "$OUT/publish-$1")
  echo "check-deb: built $(basename "$deb") in $((SECONDS - start)) s: $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes)" >&2
  echo "$deb"
}
install_deb() { # deb [file for apt's output, the maintainer scripts' messages included (apt prints them on stdout)]
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$1")
  if [ -n "${2:-}" ]; then
    $sudo "${apt[@]}" >"$2" 2>&1 || { cat "$2" >&2; return 1; }
  else
    $sudo "${apt[@]}" >/dev/null
  fi
}
# As the service runs it: the edgeagent user, the installed config. 1 = warnings (no broker on a CI machine, no
# trusted keys yet, the GPU runtime on CPU); 2 would mean it could not work at all.
doctor() {
  set +e
  $sudo runuser -u edgeagent -- /opt/edgeagent/edgeagent doctor --config /etc/edgeagent/edgeagent.json | tee "$OUT/doctor.txt" >&2
  local status=${PIPESTATUS[0]}
  set -e
  [ "$status" -le 1 ] || fail "doctor found failures (exit $status)"
  # The box signs what it publishes with NSec, whose libsodium.so must be in the package and load (doctor's box key check).
  [ -f /opt/edgeagent/libsodium.so ] || fail "the package has no libsodium.so: the agent could not sign what it publishes"
  grep -q "\[ OK \] box key" "$OUT/doctor.txt" || fail "doctor's box key check did not pass (libsodium)"
  echo "$status"
}
# One generated pair judged by the installed program: the whole decode → align → ONNX → score path of this flavour.
inspect() {
  local pairs=$OUT/pairs image
  rm -rf "$pairs"
  /opt/edgeagent/edgeagent generate --out "$pairs" --count 1 --seed 13 >/dev/null
  image=$(find "$pairs" -name '*_image.png' | head -1)
  /opt/edgeagent/edgeagent inspect --template "${image%_image.png}_template.png" --image "$image" --json > "$OUT/inspect.json" \
    || fail "installed inspect --json failed"
  # Without --json the verb also prints the provider line (the one the service logs at start).
  /opt/edgeagent/edgeagent inspect --template "${image%_image.png}_template.png" --image "$image" > "$OUT/inspect.log" 2>&1 \
    || { cat "$OUT/inspect.log" >&2; fail "installed inspect failed"; }
  grep -q '"verdict":"\(OK\|NG\)"' "$OUT/inspect.json" || fail "installed inspect gave no OK/NG verdict: $(cat "$OUT/inspect.json")"
  grep -q '"provider":"CPU"' "$OUT/inspect.json" || fail "installed inspect did not run on CPU on a box without a GPU"
}
purge() { # package
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$1" >/dev/null
  for path in /opt/edgeagent /etc/edgeagent /var/lib/edgeagent /lib/systemd/system/edgeagent.service; do
    [ ! -e "$path" ] || fail "$path left after purging $1"
  done
  ! getent passwd edgeagent >/dev/null || fail "the edgeagent user is left after purging $1"
}

# --- GPU flavour: the product ---
publish gpu
first=$(build gpu "$version~ci1")
install_deb "$first"
[ "$(/opt/edgeagent/edgeagent --version)" = "edgeagent $version" ] || fail "installed --version says $(/opt/edgeagent/edgeagent --version)"
[ -f /opt/edgeagent/libonnxruntime_providers_cuda.so ] || fail "the GPU package has no CUDA provider"
getent passwd edgeagent >/dev/null || fail "no edgeagent user"
[ "$(stat -c %U /var/lib/edgeagent)" = edgeagent ] || fail "/var/lib/edgeagent is not owned by edgeagent"
doctor_gpu=$(doctor)
if [ ! -e /dev/nvidia0 ]; then
  grep -q "gpu .*missing libcuda.so.1.*libcudnn.so.9" "$OUT/doctor.txt" || fail "doctor did not name the missing CUDA libraries"
fi
inspect
grep -q "runs on CPU (CUDA unavailable: missing libcuda.so.1" "$OUT/inspect.log" || [ -e /dev/nvidia0 ] \
  || fail "the fallback line does not name the missing CUDA library: $(cat "$OUT/inspect.log")"
systemd-analyze verify /lib/systemd/system/edgeagent.service || fail "systemd-analyze verify"
[ -e /etc/systemd/system/multi-user.target.wants/edgeagent.service ] || fail "the unit is not enabled"

# What a line engineer changes and what the agent writes must survive an upgrade.
$sudo sed -i 's/"Station": "aoi1"/"Station": "aoi7"/' /etc/edgeagent/edgeagent.json
$sudo sh -c 'echo kept > /var/lib/edgeagent/upgrade-marker && mkdir -p /var/lib/edgeagent/models/kept'
# A link the service user plants where the maintainer script makes a folder must not be followed as root: the
# upgrade's postinst leaves the link and its target (a root-owned 0700 folder standing in for /etc) untouched.
[ "$(stat -c '%U %a' /var/lib/edgeagent/aoi)" = "edgeagent 750" ] || fail "/var/lib/edgeagent/aoi is $(stat -c '%U %a' /var/lib/edgeagent/aoi), not edgeagent 750"
victim=$OUT/victim
mkdir -m 0700 "$victim"
$sudo rm -rf /var/lib/edgeagent/aoi
$sudo runuser -u edgeagent -- ln -s "$victim" /var/lib/edgeagent/aoi
second=$(build gpu "$version~ci2")
install_deb "$second" "$OUT/upgrade.log" || fail "upgrade with a planted link"
[ "$(stat -c '%U %a' "$victim")" = "$(id -un) 700" ] || fail "postinst followed the planted link: its target is now $(stat -c '%U %a' "$victim")"
[ -L /var/lib/edgeagent/aoi ] || fail "postinst replaced the planted link"
grep -q "/var/lib/edgeagent/aoi is a symbolic link; not following it" "$OUT/upgrade.log" || fail "postinst did not say it left the link: $(cat "$OUT/upgrade.log")"
[ "$(dpkg-query -W -f='${Version}' edgeagent)" = "$version~ci2" ] || fail "upgrade did not install $version~ci2"
grep -q '"Station": "aoi7"' /etc/edgeagent/edgeagent.json || fail "the edited configuration was replaced on upgrade"
[ -f /var/lib/edgeagent/upgrade-marker ] && [ -d /var/lib/edgeagent/models/kept ] || fail "data or model store lost on upgrade"
/opt/edgeagent/edgeagent --version >/dev/null || fail "the upgraded agent does not run"
purge edgeagent
rm -rf "$OUT/publish-gpu" "$first" "$second" # 550 MB + 2 × 300 MB of /tmp: not needed for the CPU half

# --- CPU flavour ---
publish cpu
cpu=$(build cpu "$version~ci1")
install_deb "$cpu"
[ "$(/opt/edgeagent/edgeagent --version)" = "edgeagent $version" ] || fail "installed CPU --version says $(/opt/edgeagent/edgeagent --version)"
[ ! -e /opt/edgeagent/libonnxruntime_providers_cuda.so ] || fail "the CPU package carries the CUDA provider"
doctor_cpu=$(doctor)
grep -q "gpu .*CPU build" "$OUT/doctor.txt" || fail "doctor on the CPU package did not say it is the CPU build"
inspect
purge edgeagent-cpu
echo "check-deb: GPU: install, --version, doctor (exit $doctor_gpu, names the missing CUDA libraries), inspect on CPU, systemd-analyze verify, upgrade keeping config and data (a link planted at /var/lib/edgeagent/aoi not followed), purge; CPU: install, --version, doctor (exit $doctor_cpu), inspect, purge: all passed"
