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
import weakref

from discord.gateway import DiscordWebSocket

log = logging.getLogger(__name__)

DATA_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)
_installed = False
# The last frame each connection decoded (for the log line), without keeping it alive.
_last_frame: weakref.WeakKeyDictionary[DiscordWebSocket, object] = weakref.WeakKeyDictionary()


def install() -> None:
    """Guard every gateway connection of this process (idempotent)."""
    global _installed
    if _installed:
        return
    received = DiscordWebSocket.received_message
    log_receive = DiscordWebSocket.log_receive

    def remember(self: DiscordWebSocket, data: object, /) -> None:
        _last_frame[self] = data
        log_receive(self, data)  # type: ignore[arg-type]  # discord.py types it as the parsed dict

    async def guarded(self: DiscordWebSocket, msg: object, /) -> None:
        _last_frame[self] = msg
        try:
            await received(self, msg)
        except DATA_ERRORS as exc:
            frame = _last_frame.get(self, msg)
            size = len(frame) if isinstance(frame, bytes | bytearray) else 0
            preview = frame[:300] if isinstance(frame, str) else f"<{size} compressed bytes>"
            log.warning(
                "dropped a malformed gateway payload on shard %s: %s: %s; frame: %s",
                self.shard_id,
                type(exc).__name__,
                exc,
                preview,
            )

    setattr(DiscordWebSocket, "log_receive", remember)  # noqa: B010 - patching the library's class on purpose
    setattr(DiscordWebSocket, "received_message", guarded)  # noqa: B010
    _installed = True
