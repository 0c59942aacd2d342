#!/usr/bin/env bash
# The test command of README.md: installs what the tests need, runs every test,
# prints "N passed, N failed[, N skipped]" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
# What the tests need from Debian (poppler for the PDF checks, PostgreSQL for the journal test, ...).
for dep in deploy/deps/*.sh; do
  [ -f "$dep" ] || continue
  bash "$dep" || echo "warning: $dep failed; the tests that need it will say so"
done
results=artifacts/test-results
rm -rf "$results"; mkdir -p "$results"
dotnet build GainCal.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
dotnet test GainCal.Tests/GainCal.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@"
status=$?
trx=$(ls "$results"/*.trx 2>/dev/null | head -1)
if [ -z "$trx" ]; then echo "0 passed, 1 failed"; exit 1; fi
read -r total passed failed skipped < <(python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
c = ET.parse(sys.argv[1]).getroot().find('.//t:ResultSummary/t:Counters', ns)
total, passed, failed = int(c.get('total')), int(c.get('passed')), int(c.get('failed')) + int(c.get('error')) + int(c.get('timeout')) + int(c.get('aborted'))
print(total, passed, failed, total - passed - failed)
PY
)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
