#!/usr/bin/env bash
# README's first command: simulate a small calibration run and calibrate it.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build GainCal.Cli -c Release -nologo -v q
gaincal() { dotnet GainCal.Cli/bin/Release/net10.0/gaincal.dll "$@"; }
work=${GAINCAL_DEMO_DIR:-$(mktemp -d -t gaincal-demo-XXXX)}
gaincal simulate "$work/Run_1" --run 1 --feds 1200,1296 --rocs-per-fed 8
for dump in "$work"/Run_1/GainCalibration_*.dmp; do
  gaincal calibrate "$dump" -o "$work/GainRun_1"
done
echo "results in $work/GainRun_1/fed"
