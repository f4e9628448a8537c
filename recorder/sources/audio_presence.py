"""Whether a PulseAudio source still exists, asked on a thread of its own.

PulseAudio moves the streams of a removed source to another one, so sound may keep coming
from the wrong microphone: the source's name has to be checked, not only the flow of sound.
But pulsectl's queries wait for the sound server's answer with no time limit, and a sound
server that hangs would then hang the capture thread that asked, which is the thread that
notices silence and reports the microphone lost. So the question is asked here, once a
PRESENCE_CHECK, and the capture thread only reads the latest answer: a sound server that
does not answer leaves the last answer standing, and its silence is what reports the loss.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

PRESENCE_CHECK = 1.0      # seconds between questions to the sound server


class PresenceWatch:
    """Asks the sound server, through `connect()`'s connection, whether `source` exists."""

    def __init__(self, source: str, connect: Callable[[], Any], every: float = PRESENCE_CHECK) -> None:
        self.source, self._connect, self.every = source, connect, every
        self.present = True        # the latest answer; a question not answered yet changes nothing
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"audio-presence:{source}", daemon=True)

    def start(self) -> "PresenceWatch":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask no more. A question waiting on a hung sound server is left to end with it."""
        self._stop.set()
        self._thread.join(0.5)

    def _run(self) -> None:
        pulse = self._connect()
        if pulse is None:          # no PulseAudio here: nothing more to learn than the sound's flow
            return
        import pulsectl  # there is a connection, so there is pulsectl
        try:
            while not self._stop.wait(self.every):
                try:
                    names = [s.name for s in pulse.source_list()]
                except (pulsectl.PulseError, pulsectl.PulseDisconnected, OSError):
                    self.present = False   # the sound server itself went away
                    return
                self.present = self.source in names
                if not self.present:
                    return
        except Exception:
            log.exception("audio: asking the sound server for its sources failed")
            self.present = False
        finally:
            pulse.close()
