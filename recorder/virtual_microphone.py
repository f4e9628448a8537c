"""A virtual microphone on a real, user-mode PulseAudio: for tests, benchmarks and the demo's
simulated participants, on machines with no sound card (like recorder/virtual_display.py
for the screen).

Each microphone is a null sink (what is played into it) whose monitor is remapped as a
source named like the microphone: `paplay --device=<name>_sink` speaks into source <name>.
The daemon lives in its own runtime folder, is reached through PULSE_SERVER, and is stopped
by its pid. Needs pulseaudio, pulseaudio-utils, espeak-ng and sox (tools/setup-system.sh).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

RATE = 16000


class VirtualPulse:
    """`with VirtualPulse(("vmic",)) as pulse:` a daemon whose sources are the microphones."""

    def __init__(self, microphones: tuple[str, ...] = ("vmic",)) -> None:
        self.microphones = microphones
        self.runtime = Path(tempfile.mkdtemp(prefix="uxlab-pulse-"))
        self.pid: int | None = None

    @property
    def env(self) -> dict[str, str]:
        """What a client process needs to reach this daemon (and no other)."""
        return {"PULSE_SERVER": f"unix:{self.runtime / 'pulse' / 'native'}",
                "XDG_RUNTIME_DIR": str(self.runtime)}

    def start(self) -> "VirtualPulse":
        modules = ["--load=module-native-protocol-unix"]
        for name in self.microphones:
            modules += [f"--load=module-null-sink sink_name={name}_sink rate={RATE} channels=1",
                        f"--load=module-remap-source source_name={name} master={name}_sink.monitor"]
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime)}
        env.pop("PULSE_SERVER", None)
        subprocess.run(["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--disallow-exit",
                        "--log-target=stderr", *modules], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pid_file = self.runtime / "pulse" / "pid"
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pid = int(pid_file.read_text().strip())
        return self

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), env={**os.environ, **self.env}, check=True, **kwargs)

    def __enter__(self) -> "VirtualPulse":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def play_in_background(self, wav: Path, microphone: str = "vmic") -> subprocess.Popen:
        """Start playing a file into a microphone and return at once."""
        return subprocess.Popen(["paplay", "--latency-msec=20", f"--device={microphone}_sink", str(wav)],
                                env={**os.environ, **self.env})

    def play(self, wav: Path, microphone: str = "vmic") -> tuple[float, float]:
        """Play a file into a microphone; returns the monotonic times around the playing."""
        before = time.monotonic()
        self.run("paplay", "--latency-msec=20", f"--device={microphone}_sink", str(wav))
        return before, time.monotonic()

    def add(self, microphone: str) -> None:
        """Plug in another virtual microphone."""
        self.run("pactl", "load-module", "module-null-sink", f"sink_name={microphone}_sink",
                 f"rate={RATE}", "channels=1", stdout=subprocess.DEVNULL)
        self.run("pactl", "load-module", "module-remap-source", f"source_name={microphone}",
                 f"master={microphone}_sink.monitor", stdout=subprocess.DEVNULL)

    def unload(self, microphone: str) -> None:
        """Make a microphone vanish, as when it is unplugged."""
        modules = self.run("pactl", "list", "short", "modules", capture_output=True, text=True).stdout
        for wanted in (f"source_name={microphone} ", f"sink_name={microphone}_sink "):
            for line in modules.splitlines():
                if wanted in line + " ":
                    self.run("pactl", "unload-module", line.split()[0])

    def stop(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, 15)
            except ProcessLookupError:
                pass
            self.pid = None


def speech(folder: Path, text: str, name: str) -> Path:
    """A WAV of espeak-ng saying `text` (16 kHz mono, as the virtual microphone takes it)."""
    raw, wav = folder / f"{name}.raw.wav", folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", str(wav)], check=True)
    raw.unlink()
    return wav
