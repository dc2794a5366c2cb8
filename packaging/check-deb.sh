#!/usr/bin/env bash
# The package's life on this machine, as a line engineer goes through it (CI runs this after the tests):
# build the .deb, install it, run `edgeagent --version` and `edgeagent doctor` from the installed files,
# check the unit with `systemd-analyze verify`, upgrade to a rebuilt package and check that the edited
# configuration and the data survived, then purge and check that nothing is left. Needs root (or sudo):
# it really installs the package.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
fail() { echo "check-deb: FAILED: $*" >&2; exit 1; }
if dpkg-query -W -f='${Status}' edgeagent 2>/dev/null | grep -q "install ok installed"; then
  fail "edgeagent is already installed on this machine; this check installs and purges it (remove it first)"
fi
# systemd-analyze comes with the systemd package, which a minimal Debian image (a container) lacks.
if ! command -v systemd-analyze >/dev/null; then
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >/dev/null
fi
OUT=$(mktemp -d /tmp/edgeagent-check-deb-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -r linux-x64 --self-contained true -p:DebugType=none -o "$OUT/publish" -v quiet -nologo
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/EdgeAgent/EdgeAgent.csproj)

first=$(packaging/build-deb.sh --version "$version~ci1" --out "$OUT" --publish "$OUT/publish")
echo "check-deb: built $(basename "$first") ($(du -h "$first" | cut -f1))"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$first" >/dev/null
[ "$(/opt/edgeagent/edgeagent --version)" = "edgeagent $version" ] || fail "installed --version says $(/opt/edgeagent/edgeagent --version)"
getent passwd edgeagent >/dev/null || fail "no edgeagent user"
[ "$(stat -c %U /var/lib/edgeagent)" = edgeagent ] || fail "/var/lib/edgeagent is not owned by edgeagent"
set +e
# As the service runs it: the edgeagent user, the installed config.
$sudo runuser -u edgeagent -- /opt/edgeagent/edgeagent doctor --config /etc/edgeagent/edgeagent.json
doctor=$?
set -e
# 1 = warnings (no broker on a CI machine, no trusted keys yet); 2 would mean it could not work at all.
[ "$doctor" -le 1 ] || fail "doctor found failures (exit $doctor)"
systemd-analyze verify /lib/systemd/system/edgeagent.service || fail "systemd-analyze verify"
[ -e /etc/systemd/system/multi-user.target.wants/edgeagent.service ] || fail "the unit is not enabled"

# What a line engineer changes and what the agent writes must survive an upgrade.
$sudo sed -i 's/"Station": "aoi1"/"Station": "aoi7"/' /etc/edgeagent/edgeagent.json
$sudo sh -c 'echo kept > /var/lib/edgeagent/upgrade-marker && mkdir -p /var/lib/edgeagent/models/kept'
second=$(packaging/build-deb.sh --version "$version~ci2" --out "$OUT" --publish "$OUT/publish")
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$second" >/dev/null
[ "$(dpkg-query -W -f='${Version}' edgeagent)" = "$version~ci2" ] || fail "upgrade did not install $version~ci2"
grep -q '"Station": "aoi7"' /etc/edgeagent/edgeagent.json || fail "the edited configuration was replaced on upgrade"
[ -f /var/lib/edgeagent/upgrade-marker ] && [ -d /var/lib/edgeagent/models/kept ] || fail "data or model store lost on upgrade"
/opt/edgeagent/edgeagent --version >/dev/null || fail "the upgraded agent does not run"

$sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q edgeagent >/dev/null
for path in /opt/edgeagent /etc/edgeagent /var/lib/edgeagent /lib/systemd/system/edgeagent.service; do
  [ ! -e "$path" ] || fail "$path left after purge"
done
! getent passwd edgeagent >/dev/null || fail "the edgeagent user is left after purge"
echo "check-deb: install, --version, doctor (exit $doctor), systemd-analyze verify, upgrade keeping config and data, purge: all passed"
