"""A restarted PostgreSQL (every backend terminated) costs the next digest nothing: no
failed attempt, no retry, one message."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.db.models import Delivery
from tests.e2e.test_delivery_e2e import due_learner
from tests.e2e.test_digest_e2e import tick
from tests.helpers import Harness


async def terminate_backends(url: str) -> int:
    """What a server restart does to the bot's pool: every connection to its database ends."""
    parsed = make_url(url)
    admin = await asyncpg.connect(
        user=parsed.username, host=parsed.host, port=parsed.port, database="postgres", password=parsed.password
    )
    try:
        ended = await admin.fetch(
            # With a timeout, pg_terminate_backend returns once the backend has exited.
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            parsed.database,
        )
        return len(ended)
    finally:
        await admin.close()


@pytest.mark.postgres
async def test_the_next_digest_survives_terminated_connections(harness: Harness) -> None:
    h = harness
    if h.services.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    amy = await due_learner(h, "amy")
    assert await terminate_backends(h.services.engine.url.render_as_string(hide_password=False)) > 0
    await tick(h)
    digests = [m for m in h.ld.dms_to(amy) if m.content.startswith("📬")]
    assert len(digests) == 1
    async with h.services.read() as s:
        [d] = list(await s.scalars(select(Delivery).where(Delivery.kind == "digest")))
    assert (d.status, d.attempts, d.error) == ("sent", 1, None)
