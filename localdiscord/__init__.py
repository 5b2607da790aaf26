"""A local Discord-compatible server for end-to-end tests and the offline console.

It speaks enough of Discord's REST API (v10) and gateway for the real discord.py client
to log in, receive events and send requests, keeps state (guilds, channels, members,
messages) so tests can assert on what a user would see, and enforces Discord's limits:
rate limits with 429s, closed DMs (50007), the interaction deadline (10062), double
acknowledgement (40060), body limits, and (when the file is present) Discord's own
OpenAPI spec for every request body.
"""

from localdiscord.server import LocalDiscord
from localdiscord.state import Channel, Guild, Message, User

__all__ = ["Channel", "Guild", "LocalDiscord", "Message", "User"]
