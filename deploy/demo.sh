#!/usr/bin/env bash
# README's first command: an embedded single-process GainCal cluster (SQLite) calibrates a simulated run.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build GainCal.Cli -c Release -nologo -v q
exec dotnet GainCal.Cli/bin/Release/net10.0/gaincal.dll demo "$@"
