"""Speech to text on the lab's own machine: the session's voice tracks in, transcript
segments on the session clock out.

A package of its own rather than part of `analyzer/`: the analyzer is pure functions from
stored sessions to measures, while transcribing decodes media files and runs speech
models for minutes. It imports `sessions` only (to read the video and store the
transcript), so the CLI can run it after a recording and nothing else has to load it.
"""
