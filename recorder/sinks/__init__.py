"""Where captured data goes: the store journal, the video file, and (later) a live publisher."""
