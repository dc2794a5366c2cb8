#!/usr/bin/env bash
# Drift benchmark (not a test): `edgeagent bench --drift`. Generates N pairs of one product (default 200), judges
# them with the service's inspector and bundled model, and feeds the drift rule streams drawn from those verdicts:
# ten stable streams of 20,000 pairs (printing every drift event they raise; the acceptance is none) and a lamp
# dimming slowly from pair 1,000 on at three rates, with brightness and contrast measured on the dimmed crops
# (printing how many pairs into the shift the first event came). The Drift section of --config applies.
#
#   scripts/drift-bench.sh [N] [--config FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
N=200
if [ $# -gt 0 ] && [[ $1 != --* ]]; then N=$1; shift; fi
dotnet build src/EdgeAgent -c Release -v q -nologo >/dev/null
exec nice -n 5 src/EdgeAgent/bin/Release/net10.0/linux-x64/edgeagent bench --drift --count "$N" "$@"
