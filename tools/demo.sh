#!/usr/bin/env bash
# `make demo`: record the help-desk demo study with simulated participants (reusing the
# sessions already recorded), analyze it, write its report and serve it.
set -euo pipefail
dir=${1:-demo-study}
port=${PORT:-5000}
py=.venv/bin/python
uxlab=.venv/bin/uxlab
$py -m examples.helpdesk.simulate "$dir"
$uxlab analyze "$dir"
$uxlab report "$dir" -o "$dir/report.html"
echo "report: $dir/report.html"
exec $uxlab serve "$dir" --port "$port"
