#!/usr/bin/env bash
# The first of the README's two commands: builds the agent and runs `edgeagent demo` on built-in defaults
# (generated AOI folder, bundled model, embedded MQTT broker, local LiteDB under .demo/). Extra arguments
# go to the demo verb, e.g. ./scripts/demo.sh --count 100
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/EdgeAgent/EdgeAgent.csproj -c Release -v quiet -nologo
exec dotnet src/EdgeAgent/bin/Release/net10.0/linux-x64/edgeagent.dll demo "$@"
