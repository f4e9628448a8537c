#!/usr/bin/env bash
# `make demo`: an example study folder, checked and listed with the uxlab CLI.
set -euo pipefail
dir=${1:-demo-study}
uxlab=.venv/bin/uxlab
[ -f "$dir/study.toml" ] || $uxlab init "$dir"
$uxlab validate "$dir"
$uxlab sessions "$dir"
