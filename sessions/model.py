"""The vocabulary every package shares: outcomes, event kinds, marker kinds, roles.

Like rrweb's event-types module, this is the one thing the recorder and the readers of
its data both import, so a name cannot drift between them.
"""
from __future__ import annotations

OUTCOMES = ("success", "failure", "gave_up", "timed_out", "abandoned")
ABANDONED_OUTCOMES = ("gave_up", "timed_out", "abandoned")

# input and screen events, stored in the events table
EVENT_KINDS = ("click", "scroll", "move", "key", "screen", "window")
# moderator and observer annotations, stored in the markers table
MARKER_KINDS = ("error", "marker", "pause", "resume")
MARKER_STATUSES = ("confirmed", "pending", "dismissed")

SESSION_STATUSES = ("recording", "complete", "recovered", "aborted")
ROLES = ("researcher", "observer", "reviewer")

# the columns of an event row; readers can rely on every key being present
EVENT_FIELDS = ("t", "kind", "x", "y", "button", "pressed", "dx", "dy", "key", "text",
                "window", "task", "target")

# key classes kept when keystrokes are redacted: enough to count and characterise typing
KEY_CLASSES = ("letter", "digit", "space", "punctuation", "enter", "backspace", "delete",
               "tab", "arrow", "escape", "function", "modifier", "navigation", "other")
