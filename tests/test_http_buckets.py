"""discord.py's bucket table stays bounded when every DM is a new channel (bot.http_buckets)."""

from __future__ import annotations

import asyncio

from discord.http import HTTPClient

from bot.http_buckets import PRUNE_EVERY, bound_buckets

CHANNELS = 20_000


def _send(http: HTTPClient, key: str) -> None:
    """What one DM does to the table: its channel's bucket is made, used once and answered
    (one request left in a fresh window, as Discord's per-channel limit answers)."""
    bucket = http.get_ratelimit(key)
    bucket.limit, bucket.remaining = 5, 4
    bucket.expires = bucket._loop.time() + 5.0


async def test_20000_dm_channels_cost_constant_work_per_send() -> None:
    http = HTTPClient(asyncio.get_running_loop())
    pruner = bound_buckets(http)
    sizes = []
    for channel in range(CHANNELS):
        _send(http, f"POST /channels/{{channel_id}}/messages:{channel}")
        sizes.append(len(http._buckets))
    # The table never outgrows one pruning period, and the buckets scanned per send are a
    # constant (at most one entry per send), however many channels went before.
    assert max(sizes) <= PRUNE_EVERY
    assert pruner.scanned <= CHANNELS
    first_half = pruner.scanned
    for channel in range(CHANNELS, 2 * CHANNELS):
        _send(http, f"POST /channels/{{channel_id}}/messages:{channel}")
    assert pruner.scanned - first_half <= CHANNELS
    await http.close()


async def test_busy_and_exhausted_buckets_are_kept() -> None:
    http = HTTPClient(asyncio.get_running_loop())
    bound_buckets(http, every=4)
    busy = http.get_ratelimit("busy")
    busy.outgoing = 1
    exhausted = http.get_ratelimit("exhausted")
    exhausted.remaining, exhausted.expires = 0, exhausted._loop.time() + 30
    spent = http.get_ratelimit("spent-window-over")
    spent.remaining, spent.expires = 0, spent._loop.time() - 1
    for n in range(8):
        _send(http, f"dm:{n}")
    kept = http._buckets
    assert kept.get("busy") is busy and kept.get("exhausted") is exhausted
    assert "spent-window-over" not in kept
    await http.close()
