"""A local Discord-compatible server for end-to-end tests and the offline console.

It speaks enough of Discord's REST API (v10) and gateway for the real discord.py client
to log in, receive events and send requests, keeps state (guilds, channels, members,
messages, installs) so tests can assert on what a user would see, and enforces Discord's
limits: rate limits with 429s, closed DMs (50007), the interaction deadline (10062), double
acknowledgement (40060), body, modal and select limits, interaction contexts and
installation contexts (what the client offers where, ``NotOffered``), Missing Access
(50001) where the app is not installed, and (when the file is present) Discord's own
OpenAPI spec for every request body.
"""

from localdiscord.installs import NotOffered
from localdiscord.server import LocalDiscord
from localdiscord.state import Channel, Guild, Interaction, Message, User
from localdiscord.users import InteractionTimeout, InvalidOption

__all__ = [
    "Channel",
    "Guild",
    "Interaction",
    "InteractionTimeout",
    "InvalidOption",
    "LocalDiscord",
    "Message",
    "NotOffered",
    "User",
]
