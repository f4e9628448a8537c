"""Sessions with a voice, made for tests: espeak-ng speaks known sentences at known session
times into the AAC track(s) of a fragmented H.264 MP4, as the recorder writes it (track 0
the participant, track 1 the moderator), in a session stored through the Store."""
from __future__ import annotations

import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sessions.events import CAMERA_FILE, VIDEO_FILE, Speaker
from sessions.store import Store

RATE = 16_000
VIDEO_SIZE = (320, 200)


def speak(text: str, *, voice: str = "en-us", speed: int = 150) -> np.ndarray:
    """espeak-ng's voice for `text` as 16 kHz mono int16."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        with av.open(str(wav)) as container:
            chunks = [out.to_ndarray().reshape(-1) for frame in container.decode(audio=0)
                      for out in resampler.resample(frame)]
        chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.int16)


def voice_track(sentences: list[tuple[float, str]], duration: float, *, start: float = 0.0) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A track from session time `start` to `duration` with each (t, sentence) spoken at t;
    also returns each sentence's (onset, end, text) on the session clock, found from the
    samples (espeak-ng begins its files with a little silence)."""
    samples = np.zeros(round((duration - start) * RATE), np.int16)
    spoken = []
    for t, text in sentences:
        voice = speak(text)
        at = round((t - start) * RATE)
        voice = voice[: len(samples) - at]
        samples[at: at + len(voice)] = voice
        loud = np.flatnonzero(np.abs(voice.astype(np.int32)) > 300)
        spoken.append((t + loud[0] / RATE, t + (loud[-1] + 1) / RATE, text))
    return samples, spoken


def write_voice_video(path: Path, tracks: list[np.ndarray], duration: float, *, audio_start: float = 0.0) -> None:
    """A fragmented MP4: a grey H.264 picture at 2 fps and one AAC track per array, each
    packet stamped with its session time (the first sample at `audio_start`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4",
                 options={"movflags": "frag_keyframe+empty_moov+default_base_moof"}) as out:
        video = out.add_stream("libx264", rate=2)
        video.width, video.height = VIDEO_SIZE
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = Fraction(1, 1000)
        video.options = {"preset": "ultrafast"}
        audio = []
        for _ in tracks:
            stream = out.add_stream("aac", rate=RATE, layout="mono")
            stream.codec_context.time_base = Fraction(1, RATE)
            audio.append(stream)
        for i in range(int(duration * 2)):
            image = np.full((VIDEO_SIZE[1], VIDEO_SIZE[0], 3), 90 + i % 60, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i * 500, Fraction(1, 1000)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        for stream, samples in zip(audio, tracks):
            first = round(audio_start * RATE)
            for at in range(0, len(samples), 1024):
                chunk = samples[at: at + 1024]
                frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = RATE, first + at, Fraction(1, RATE)
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)


def record_voice_session(store: Store, sentences: list[tuple[float, str]], duration: float, *,
                         participant: str = "P01", moderator: list[tuple[float, str]] | None = None,
                         pauses: list[tuple[float, float]] = (), camera: bool = False,
                         ) -> tuple[str, list[tuple[float, float, str]]]:
    """A finished session whose participant says `sentences` (and the moderator says
    `moderator`, on a second track); `pauses` become privacy pause/resume markers; with
    `camera`, a small camera video too. Returns the session id and every sentence's
    (onset, end, text)."""
    device = {"width": 1280, "height": 800, "video": VIDEO_FILE}
    if camera:
        device["camera"] = {"file": CAMERA_FILE, "width": 160, "height": 120}
    sid = store.sessions.create(participant, device=device)
    if camera:
        from tests.web.recordings import write_video
        write_video(store.media.session_dir(sid, create=True) / CAMERA_FILE,
                    [(float(t), (40 * t % 255, 120, 200)) for t in range(int(duration) + 1)], (160, 120))
    track, spoken = voice_track(sentences, duration)
    tracks = [track]
    if moderator:
        second, said = voice_track(moderator, duration)
        tracks.append(second)
        spoken += said
    write_voice_video(store.media.session_dir(sid, create=True) / VIDEO_FILE, tracks, duration)
    # which microphone went to which track, as the recorder's device record says
    device["audio"] = [{"speaker": speaker.value, "source": f"mic{i}", "rate": RATE, "track": i}
                       for i, speaker in enumerate(list(Speaker)[:len(tracks)])]
    store.sessions.update(sid, device=device)
    attempt = store.attempts.start(sid, "first", 0.5)
    store.attempts.end(attempt, duration - 0.5, "success")
    for a, b in pauses:
        store.markers.add(sid, a, "pause", author="recorder")
        store.markers.add(sid, b, "resume", author="recorder")
    store.sessions.update(sid, status="complete", duration=duration)
    return sid, spoken
