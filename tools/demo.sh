#!/usr/bin/env bash
# `make demo`: record the help-desk demo study with simulated participants (reusing the
# sessions already recorded), analyze it, write its report, and serve it with a fresh
# one-time password for the demo's researcher account.
set -euo pipefail
dir=${1:-demo-study}
port=${PORT:-5000}
py=.venv/bin/python
uxlab=.venv/bin/uxlab
$py -m examples.helpdesk.simulate "$dir"
$uxlab transcribe "$dir"   # what the participants said, on this machine (skips sessions done before)
$uxlab analyze "$dir"
$py -m examples.helpdesk.findings "$dir"
$uxlab candidates "$dir" --all
$uxlab problems "$dir"
$uxlab report "$dir" -o "$dir/report.html"
if $uxlab user add "$dir" demo --role researcher </dev/null >"$dir/.login" 2>/dev/null; then :; else
  $uxlab user password "$dir" demo </dev/null >"$dir/.login"
fi
password=$(sed -n 's/^password: \([^ ]*\).*/\1/p' "$dir/.login")
rm -f "$dir/.login"
cat <<MSG

  uxlab demo is ready
  open:      http://127.0.0.1:$port/
  log in as: demo
  password:  $password   (shown once; \`make demo\` makes a new one each run)
  report:    $dir/report.html
  reel:      $dir/reel.mp4

  try, from this folder in another terminal (the commands live in .venv/bin;
  \`source .venv/bin/activate\` first to type just \`uxlab\`):
    .venv/bin/uxlab sessions $dir
    .venv/bin/uxlab analyze $dir
    .venv/bin/uxlab validate $dir
    .venv/bin/uxlab audit $dir
    .venv/bin/uxlab search $dir "ticket"

  stop the server with Ctrl+C
MSG
exec $uxlab serve "$dir" --port "$port"
