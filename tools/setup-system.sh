#!/usr/bin/env bash
# Installs the Debian packages uxlab needs (X server, input driver, browser, video
# tools, Redis, a compiler for evdev, PulseAudio, PortAudio and espeak-ng for sound, D-Bus
# and AT-SPI for naming desktop widgets). Fast when everything is already there.
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
  [pulseaudio]=pulseaudio
  [pactl]=pulseaudio-utils
  [paplay]=pulseaudio-utils
  [espeak-ng]=espeak-ng
  [sox]=sox
  [dbus-daemon]=dbus-daemon
)
missing=()
for cmd in "${!WANT[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${WANT[$cmd]}")
done
# evdev (pulled in by pynput) compiles against the kernel headers
[ -f /usr/include/linux/input.h ] || missing+=(linux-libc-dev)
# sound: PortAudio for sounddevice, and the ALSA plugin through which it reaches PulseAudio
ls /usr/lib/*/libportaudio.so.2 >/dev/null 2>&1 || missing+=(libportaudio2)
ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so >/dev/null 2>&1 || missing+=(libasound2-plugins)
# a font so that Chromium and matplotlib render text under Xvfb
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
# recorded human speech with reference transcripts, for the transcription tests and benchmark
[ -f /usr/share/pocketsphinx/test/data/librivox/transcription ] || missing+=(pocketsphinx-testdata)
# the accessibility bus and registry through which the recorder names the widget under a click
[ -x /usr/libexec/at-spi-bus-launcher ] && [ -x /usr/libexec/at-spi2-registryd ] || missing+=(at-spi2-core)
# a GTK3 window for the AT-SPI tests, run by the system Python
[ -d /usr/lib/python3/dist-packages/gi ] || missing+=(python3-gi)
ls /usr/lib/*/girepository-1.0/Gtk-3.0.typelib >/dev/null 2>&1 || missing+=(gir1.2-gtk-3.0)

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
# debconf says it is "delaying package configuration" when apt-utils is absent: not news
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  2> >(grep -v '^debconf: delaying package configuration' >&2)
