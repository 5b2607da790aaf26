from __future__ import annotations

from tests.helpers import Harness


async def test_quiz_topic(harness: Harness) -> None:
    ld = harness.ld
    alice = ld.create_user("alice")
    guild = await ld.create_guild("Study Hall")
    await ld.add_member(guild, alice)
    channel = next(iter(guild.channels.values()))
    it = await ld.slash(alice, "quiz", {"topic": "linear-algebra", "count": 3}, channel=channel)
    msg = it.original
    assert msg is not None
    print(msg.embeds[0]["title"], msg.embeds[0]["description"][:200])
    print([c.get("label") for c in ld.components_of(msg)])
