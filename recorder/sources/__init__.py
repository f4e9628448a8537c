"""Capture sources: the screen, input devices and window focus, each on its own thread."""
