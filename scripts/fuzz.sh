#!/usr/bin/env bash
# Fuzzes every parser that reads outside input for a given time per target, and prints executions and failures per
# target. The fuzz targets are the CsCheck property tests tagged Category=Fuzz (README "Fuzzing"); the normal test run
# gives each target a few seconds, this gives it SECONDS_PER_TARGET. A failure prints CsCheck's shrunk input and seed
# (re-run one with CsCheck_Seed=<seed>); keep it as a named regression test next to the fuzz test.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default 60 s; all targets)
#   targets: png package mqtt naming config dashboard
#   FUZZ_NO_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A project=(
  [png]=EdgeAgent.Vision.Tests [package]=EdgeAgent.Models.Tests [mqtt]=EdgeAgent.Messaging.Tests
  [naming]=EdgeAgent.Core.Tests [config]=EdgeAgent.Tests [dashboard]=EdgeAgent.Dashboard.Tests
)
all=(png package mqtt naming config dashboard)
seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]  (targets: ${all[*]})" >&2
  exit 64
fi
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all[@]}"); fi
for target in "${targets[@]}"; do
  if [ -z "${project[$target]:-}" ]; then
    echo "fuzz.sh: unknown target '$target' (targets: ${all[*]})" >&2
    exit 64
  fi
done

./scripts/install-deps.sh # the mqtt target runs a real mosquitto
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 EDGEAGENT_FUZZ_SECONDS=$seconds
if [ "${FUZZ_NO_BUILD:-}" != 1 ]; then
  dotnet build EdgeAgent.sln -c Release -nologo -v quiet
fi

rows=$(mktemp)
logs=$(mktemp -d)
status=0
# One target at a time: each test host gets the CPU the box can spare, and each summary file is the target's own.
for target in "${targets[@]}"; do
  summary=tests/${project[$target]}/bin/Release/net10.0/linux-x64/fuzz-summary.txt
  rm -f "$summary"
  echo "fuzz: $target for ${seconds}s (${project[$target]})"
  if ! dotnet test "tests/${project[$target]}" -c Release --no-build -nologo --filter "Category=Fuzz&FuzzTarget=$target" \
      --logger "console;verbosity=normal" > "$logs/$target.log" 2>&1; then
    status=1
    # The shrunk failing input and its seed, or why the test host stopped.
    grep -a -E -A4 'Error Message|CsCheckException|aborted' "$logs/$target.log" | cut -c1-400 || true
  fi
  if [ -f "$summary" ]; then
    tail -n +2 "$summary" >> "$rows"
  else
    printf '%s\t(no summary: the test host stopped)\t0\t1\n' "$target" >> "$rows"
  fi
done

echo
awk -f scripts/fuzz-table.awk "$rows"
rm -rf "$rows" "$logs"
exit "$status"
