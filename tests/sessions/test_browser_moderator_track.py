"""A remote session's moderator track: the join page's chunks of the moderator's voice become
screen.mp4's second sound track on the session clock, with silence where the moderator was
not on the call, and the device record names both speakers as a native session does, so a
clip hears both."""
from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np

from sessions.media.browser_assembly import build_media
from sessions.media.browser_chunks import BrowserChunks
from speech.audio import RATE, read_tracks

RECORDED = 48_000      # what MediaRecorder's Opus runs at
SCREEN_SECONDS = 4.0
MODERATOR_START, MODERATOR_SECONDS = 1.5, 1.5


def webm(seconds: float, tone: float, video: bool) -> bytes:
    """A WebM as a browser records it: VP8 pictures (when `video`) and an Opus tone."""
    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        picture = None
        if video:
            picture = container.add_stream("libvpx", rate=10)
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        sound = container.add_stream("libopus", rate=RECORDED, layout="mono")
        if picture is not None:
            for i in range(int(seconds * 10)):
                frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 5 % 255, np.uint8), format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, 10)
                for packet in picture.encode(frame):
                    container.mux(packet)
        t = np.arange(int(seconds * RECORDED)) / RECORDED
        samples = (0.5 * np.sin(2 * np.pi * tone * t) * 32767).astype(np.int16)
        for start in range(0, len(samples), 960):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + 960], format="s16", layout="mono")
            frame.sample_rate, frame.pts = RECORDED, start
            for packet in sound.encode(frame):
                container.mux(packet)
        for stream in (s for s in (picture, sound) if s is not None):
            for packet in stream.encode(None):
                container.mux(packet)
    return out.getvalue()


def tone_level(samples: np.ndarray, tone: float) -> float:
    """The strength of one frequency in a stretch of 16 kHz sound (0 for silence)."""
    if not len(samples):
        return 0.0
    t = np.arange(len(samples)) / RATE
    x = samples.astype(float) / 32768
    return float(abs(np.dot(x, np.exp(-2j * np.pi * tone * t))) / len(samples))


def remote_session_with_a_call(store) -> str:
    """A session whose browser sent one screen run (the participant's 440 Hz voice) and,
    from MODERATOR_START, one moderator run (880 Hz), as a page on a call uploads them."""
    session_id = store.sessions.create("P07")
    chunks = BrowserChunks(store.media, session_id)
    screen = chunks.new_run("screen", start=0.0, mime="video/webm;codecs=vp8,opus", surface="monitor")
    chunks.put("screen", screen.number, 0, webm(SCREEN_SECONDS, 440.0, video=True), SCREEN_SECONDS)
    moderator = chunks.new_run("moderator", start=MODERATOR_START, mime="audio/webm;codecs=opus")
    chunks.put("moderator", moderator.number, 0, webm(MODERATOR_SECONDS, 880.0, video=False),
               MODERATOR_START + MODERATOR_SECONDS)
    return session_id


def test_the_moderator_voice_is_the_second_track_with_silence_where_absent(store):
    session_id = remote_session_with_a_call(store)

    built = build_media(store, session_id)
    assert built.device["audio"] == [
        {"speaker": "participant", "source": "browser", "rate": RATE, "track": 0},
        {"speaker": "moderator", "source": "call", "rate": RATE, "track": 1}]
    assert abs(built.seconds_of_moderator - (MODERATOR_START + MODERATOR_SECONDS)) < 0.1
    video = store.media.session_dir(session_id) / built.device["video"]
    with av.open(str(video)) as container:
        assert [s.metadata.get("handler_name") for s in container.streams.audio] == ["participant", "moderator"]
    participant, moderator_track = read_tracks(video)
    assert (participant.speaker, moderator_track.speaker) == ("participant", "moderator")

    def stretch(track, start: float, end: float) -> np.ndarray:
        first = round((start - track.start) * RATE)
        return track.samples[max(0, first): max(0, round((end - track.start) * RATE))]

    # the moderator's tone only where they spoke, on the session clock (within the 0.1 s margins)
    before = stretch(moderator_track, 0.0, MODERATOR_START - 0.1)
    during = stretch(moderator_track, MODERATOR_START + 0.1, MODERATOR_START + MODERATOR_SECONDS - 0.1)
    assert len(before) > RATE and not np.abs(before).max() > 300, "the moderator's track is silent before"
    assert tone_level(during, 880.0) > 0.1 and tone_level(during, 440.0) < 0.02
    # and the participant's own tone alone on track 0 all along
    voice = stretch(participant, 0.2, SCREEN_SECONDS - 0.2)
    assert tone_level(voice, 440.0) > 0.1 and tone_level(voice, 880.0) < 0.02


def test_a_clip_of_a_remote_session_mixes_both_voices(store):
    from sessions.media.clips import clip_video
    session_id = remote_session_with_a_call(store)
    store.sessions.update(session_id, device={"source": "browser", **build_media(store, session_id).device})

    clip = clip_video(store, session_id, 1.0, 3.5)
    with av.open(io.BytesIO(clip)) as container:
        titles = [s.metadata.get("handler_name") for s in container.streams.audio]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        mixed = np.concatenate([out.to_ndarray().reshape(-1) for frame in container.decode(audio=0)
                                for out in resampler.resample(frame)])
    assert titles == ["everyone", "participant", "moderator"]
    spoken = mixed[RATE: 2 * RATE]   # clip time 1.0-2.0: session time 2.0-3.0, both speak
    assert tone_level(spoken, 440.0) > 0.05 and tone_level(spoken, 880.0) > 0.05
