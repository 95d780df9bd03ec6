"""The messages screens post up to the App (never the other way: the App sets state).

A screen tells the App what happened to the session; the App does what is the App's:
the header's read-only badge, the write keys on every screen, notices, the memory
policy after the directory load.
"""

from __future__ import annotations

from textual.message import Message

__all__ = ["Connected", "DirectoryLoaded"]


class Connected(Message):
    """The session is connected: its read-only state and notices are known."""


class DirectoryLoaded(Message):
    """The directory's first load is complete: what it holds lives as long as the app."""
