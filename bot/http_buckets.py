"""A bounded rate-limit bucket table for discord.py's HTTP client.

discord.py keeps one ``Ratelimit`` bucket per route and major parameter, so every DM
channel is a new bucket. Once the table holds 256 of them, each new bucket scans the whole
table for buckets unused for 300 s (``HTTPClient._try_clear_expired_ratelimits``): during a
dispatch nothing is that old, so the table grows by one per DM and every send costs a scan
of all of them (O(n²) over a dispatch: ~9 ms per send at 13,500 buckets).

``bound_buckets`` replaces that scan on one client: every ``PRUNE_EVERY`` new buckets it drops
the buckets that are idle, i.e. no request in flight or waiting, and not exhausted (their
window has ended, or they have requests left). Such a bucket holds nothing but what the next
response would tell again, so dropping it cannot cause a 429; exhausted or busy buckets are
kept. The table stays near ``PRUNE_EVERY`` plus the buckets in use, and the scan costs O(1)
per new bucket, amortised.
"""

from __future__ import annotations

from discord.http import HTTPClient, Ratelimit

PRUNE_EVERY = 256


def idle(bucket: Ratelimit) -> bool:
    """Nothing in flight or queued on ``bucket``, and it does not hold back a request."""
    if bucket.outgoing or bucket._pending_requests:
        return False
    return bucket.remaining > 0 or bucket.expires is None or bucket.is_expired()


class BucketPruner:
    """Called by discord.py whenever it adds a bucket; prunes idle ones every ``every`` additions."""

    def __init__(self, http: HTTPClient, every: int = PRUNE_EVERY) -> None:
        self.http = http
        self.every = every
        self.added = 0
        self.scanned = 0  # buckets looked at, over the client's life (a test reads it)

    def __call__(self) -> None:
        self.added += 1
        if self.added < self.every:
            return
        self.added = 0
        buckets = self.http._buckets
        self.scanned += len(buckets)
        for key in [key for key, bucket in buckets.items() if idle(bucket)]:
            del buckets[key]


def bound_buckets(http: HTTPClient, every: int = PRUNE_EVERY) -> BucketPruner:
    """Install the pruner on ``http`` (instead of discord.py's all-bucket scan per new bucket)."""
    pruner = BucketPruner(http, every)
    setattr(http, "_try_clear_expired_ratelimits", pruner)  # noqa: B010 - replacing a private method
    return pruner
