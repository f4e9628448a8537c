#!/usr/bin/env bash
# Installs the Debian packages uxlab needs (X server, input driver, browser, video
# tools, Redis, a compiler for evdev). Fast when everything is already there.
set -euo pipefail

# command-to-package pairs: a package is wanted only when its command is missing
declare -A WANT=(
  [Xvfb]=xvfb
  [xdotool]=xdotool
  [xdpyinfo]=x11-utils
  [chromium]=chromium
  [ffmpeg]=ffmpeg
  [ffprobe]=ffmpeg
  [redis-server]=redis-server
  [gcc]=gcc
  [npm]=npm
)
missing=()
for cmd in "${!WANT[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${WANT[$cmd]}")
done
# evdev (pulled in by pynput) compiles against the kernel headers
[ -f /usr/include/linux/input.h ] || missing+=(linux-libc-dev)
# a font so that Chromium and matplotlib render text under Xvfb
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)

[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "uxlab needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
