"""One bad gateway payload must not take the bot down.

discord.py decodes and parses every gateway frame inside
``DiscordWebSocket.received_message``; an exception there (a frame that is not JSON, such
as ``NaN``, or an event missing a key the parser expects) propagates out of the client's
connection loop, which then stops for good, and every later command times out. This
wraps that method once per process: data errors are logged once, with the shard and the
start of the frame, and the frame is dropped; the connection stays up. Control-flow
exceptions (reconnect, closed connection, cancellation) pass through untouched.
"""

from __future__ import annotations

import logging
from typing import Any

from discord.gateway import DiscordWebSocket

log = logging.getLogger(__name__)

DATA_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)
_installed = False


def install() -> None:
    """Guard every gateway connection of this process (idempotent)."""
    global _installed
    if _installed:
        return
    received = DiscordWebSocket.received_message
    log_receive = DiscordWebSocket.log_receive

    def remember(self: DiscordWebSocket, data: Any, /) -> None:
        self._studybot_last_frame = data  # type: ignore[attr-defined]
        log_receive(self, data)

    async def guarded(self: DiscordWebSocket, msg: Any, /) -> None:
        self._studybot_last_frame = msg  # type: ignore[attr-defined]
        try:
            await received(self, msg)
        except DATA_ERRORS as exc:
            frame = getattr(self, "_studybot_last_frame", msg)
            preview = frame[:300] if isinstance(frame, str) else f"<{len(frame)} compressed bytes>"
            log.warning(
                "dropped a malformed gateway payload on shard %s: %s: %s; frame: %s",
                self.shard_id,
                type(exc).__name__,
                exc,
                preview,
            )

    DiscordWebSocket.log_receive = remember  # type: ignore[method-assign]
    DiscordWebSocket.received_message = guarded  # type: ignore[method-assign]
    _installed = True
