"""Where captured data goes: the store journal, the video files and keyframes, and outputs
such as the live publisher, all reached through one Fanout (base.py) that keeps a failing
output away from the capture threads."""
