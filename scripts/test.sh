#!/usr/bin/env bash
# The second of the README's two commands: installs native packages, builds with warnings as errors and
# runs every test project (unit, integration with a real mosquitto broker, ONNX parity, alignment accuracy).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# OpenCvSharp's native library must resolve all of its GTK/X11 dependencies.
dotnet build EdgeAgent.sln -c Release -nologo -v quiet
native=$(find src/EdgeAgent/bin/Release -name libOpenCvSharpExtern.so | head -1)
if ldd "$native" | grep -q "not found"; then
  ldd "$native" | grep "not found"
  echo "test.sh: OpenCvSharp's native library has unresolved dependencies" >&2
  exit 1
fi

summary=tests/EdgeAgent.FaultInjection.Tests/bin/Release/net10.0/linux-x64/fault-summary.txt
shots=tests/EdgeAgent.Dashboard.Tests/bin/Release/net10.0/linux-x64
rm -f "$summary" "$shots"/dashboard-*.png tests/*/bin/Release/net10.0/linux-x64/fuzz-summary.txt
log=$(mktemp)
set +e
dotnet test EdgeAgent.sln -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ -f "$summary" ]; then
  echo "fault injection (lost must be 0 everywhere):"
  cat "$summary"
fi
# The fuzz targets' short pass (scripts/fuzz.sh runs them longer).
if ls tests/*/bin/Release/net10.0/linux-x64/fuzz-summary.txt >/dev/null 2>&1; then
  echo "fuzzing (short pass; crashes must be 0):"
  tail -q -n +2 tests/*/bin/Release/net10.0/linux-x64/fuzz-summary.txt | awk -f scripts/fuzz-table.awk
fi
# The browser test's screenshots of the dashboard (headless chromium), kept for a person to look at.
for shot in "$shots"/dashboard-*.png; do
  if [ -f "$shot" ]; then echo "dashboard screenshot: $shot"; fi
done
# The failed tests again at the end, each with the first lines of its message, so the tail of a long CI log
# says which failed and why.
awk '/^ +Failed [A-Za-z]/ {sub(/^ +/, ""); print "failed: " $0; shown = 0; inmsg = 1; next}
     inmsg && /^ +Stack Trace:/ {inmsg = 0; next}
     inmsg && shown < 12 && !/^ +Error Message:/ {print "    " $0; shown++}' "$log"
# One closing line for CI: the totals over every test project.
# An aborted test host counts as a failure even though it reports no failed test.
awk '/^ +Passed: [0-9]+$/{p+=$2} /^ +Failed: [0-9]+$/{f+=$2} /^ +Skipped: [0-9]+$/{s+=$2} /The active test run was aborted/{f++}
     END{printf "tests: %d passed, %d failed, %d skipped\n",p,f,s}' "$log"
rm -f "$log"
exit "$status"
