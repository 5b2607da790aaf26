"""Fixtures for the local Discord's own tests: a server (strict unless the module is marked
``lax``, which lets a test send bodies the spec refuses; ``@pytest.mark.ld(...)`` passes
other LocalDiscord options), a raw HTTP client, and a fake bot registering the module's
``COMMANDS``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from localdiscord import LocalDiscord
from tests.localdiscord.fakebot import FakeBot, fake_bot


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "lax: run the local Discord without schema validation of bodies")
    config.addinivalue_line("markers", "ld(**options): LocalDiscord options for this test")


@pytest.fixture
async def ld(request: pytest.FixtureRequest) -> AsyncIterator[LocalDiscord]:
    options: dict[str, Any] = {"strict": request.node.get_closest_marker("lax") is None}
    marker = request.node.get_closest_marker("ld")
    options.update(marker.kwargs if marker else {})
    server = await LocalDiscord(**options).start()
    try:
        yield server
    finally:
        await server.stop()
    if options["strict"]:
        server.assert_clean()


@pytest.fixture
async def http(ld: LocalDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {ld.token}"}) as s:
        yield s


@pytest.fixture
async def bot(ld: LocalDiscord, request: pytest.FixtureRequest) -> AsyncIterator[FakeBot]:
    async with fake_bot(ld) as fake:
        await fake.register(getattr(request.module, "COMMANDS", []))
        yield fake
