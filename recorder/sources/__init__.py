"""Capture sources: the screen, input devices, window focus, microphones and the camera, each
on its own thread and all on one protocol (base.py: start, stop at a session time, a lost
source reported once)."""
