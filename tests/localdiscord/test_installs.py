"""Interaction contexts and installs: what the client offers where, what Discord sends, and
what the app may do where it is not installed."""

from __future__ import annotations

from typing import Any

import pytest

from localdiscord import LocalDiscord, NotOffered
from localdiscord import permissions as P
from localdiscord.installs import BOT_DM_PERMISSIONS, PRIVATE_CHANNEL_PERMISSIONS
from localdiscord.state import Guild, User
from tests.localdiscord.fakebot import FakeBot

COMMANDS: list[dict[str, Any]] = [
    {"name": "plain", "description": "no context fields, as discord.py sends by default"},
    {"name": "studychannel", "description": "guild_only", "dm_permission": False},
    {"name": "anywhere", "description": "d", "contexts": [0, 1, 2], "integration_types": [0, 1]},
    {"name": "serverapp", "description": "d", "contexts": [0, 1, 2], "integration_types": [0]},
    {"name": "mine", "description": "d", "contexts": [0, 1, 2], "integration_types": [1]},
    {"name": "admins", "description": "d", "default_member_permissions": "0"},
    {"name": "managers", "description": "d", "default_member_permissions": str(P.MANAGE_GUILD)},
]


async def guild_with(ld: LocalDiscord, *users: User, bot_member: bool = True) -> Guild:
    guild = await ld.create_guild("g", bot_member=bot_member)
    for user in users:
        await ld.add_member(guild, user)
    return guild


def general(guild: Guild) -> Any:
    return next(iter(guild.channels.values()))


async def test_the_context_comes_from_the_channel(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann", locale="de"), ld.create_user("ben")
    ld.install_for_user(ann)
    guild = await guild_with(ld, ann)

    await ld.slash(ann, "anywhere", channel=general(guild))
    server = bot.interactions[-1]
    assert server["context"] == 0 and server["authorizing_integration_owners"] == {"0": str(guild.id), "1": str(ann.id)}
    assert server["guild_id"] == str(guild.id) and server["member"]["user"]["id"] == str(ann.id)
    assert server["locale"] == "de" and server["guild_locale"] == "en-US"
    assert int(server["app_permissions"]) == guild.permissions_in(general(guild), ld.bot_user.id)

    await ld.slash(ann, "anywhere")
    dm = bot.interactions[-1]
    assert dm["context"] == 1 and dm["authorizing_integration_owners"] == {"0": "0", "1": str(ann.id)}
    assert "guild_id" not in dm and dm["user"]["id"] == str(ann.id) and dm["channel"]["type"] == 1
    assert int(dm["app_permissions"]) == BOT_DM_PERMISSIONS

    pair = ld.private_channel(ann, ben)
    await ld.slash(ann, "anywhere", channel=pair)
    private = bot.interactions[-1]
    assert private["context"] == 2 and private["authorizing_integration_owners"] == {"1": str(ann.id)}
    assert private["channel"]["type"] == 1 and {u["id"] for u in private["channel"]["recipients"]} == {
        str(ann.id),
        str(ben.id),
    }
    assert int(private["app_permissions"]) == PRIVATE_CHANNEL_PERMISSIONS

    group = ld.private_channel(ann, ben, ld.create_user("cy"), name="study group")
    await ld.slash(ann, "anywhere", channel=group)
    assert bot.interactions[-1]["channel"]["type"] == 3 and bot.interactions[-1]["context"] == 2


async def test_commands_the_client_would_not_offer(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    guild = await guild_with(ld, ann)
    pair = ld.private_channel(ann, ben)
    with pytest.raises(NotOffered, match="/studychannel is not available in DMs"):
        await ld.slash(ann, "studychannel")
    with pytest.raises(NotOffered, match="/plain is not available in group DMs"):
        await ld.slash(ann, "plain", channel=pair)  # null contexts: servers and the bot DM only
    with pytest.raises(NotOffered, match="not installed here"):
        await ld.slash(ann, "anywhere", channel=pair)  # no user install
    with pytest.raises(NotOffered, match="not installed here"):
        await ld.slash(ann, "mine", channel=general(guild))
    ld.install_for_user(ann)
    with pytest.raises(NotOffered, match="not installed here"):
        await ld.slash(ann, "serverapp", channel=pair)  # a guild install never reaches other DMs
    await ld.slash(ann, "mine", channel=pair)
    assert bot.interactions[-1]["authorizing_integration_owners"] == {"1": str(ann.id)}
    await ld.slash(ann, "mine", channel=general(guild))  # user install only, bot present
    assert bot.interactions[-1]["authorizing_integration_owners"] == {"1": str(ann.id)}
    ld.uninstall_for_user(ann)
    with pytest.raises(NotOffered, match="ann has not installed the app"):
        await ld.slash(ann, "mine", channel=pair)
    with pytest.raises(NotOffered, match="/studychannel is not available in DMs"):
        await ld.autocomplete(ann, "studychannel", {}, "x")  # nor its autocomplete
    assert len(bot.interactions) == 2


async def test_default_member_permissions(ld: LocalDiscord, bot: FakeBot) -> None:
    member, manager, admin = ld.create_user("member"), ld.create_user("manager"), ld.create_user("admin")
    guild = await guild_with(ld, member)
    await ld.add_member(guild, manager, permissions=P.MANAGE_GUILD)
    await ld.add_member(guild, admin, permissions=P.ADMINISTRATOR)
    channel = general(guild)
    with pytest.raises(NotOffered, match="default_member_permissions"):
        await ld.slash(member, "managers", channel=channel)
    await ld.slash(manager, "managers", channel=channel)
    with pytest.raises(NotOffered, match="default_member_permissions 0"):
        await ld.slash(manager, "admins", channel=channel)  # "0": administrators only
    await ld.slash(admin, "admins", channel=channel)
    await ld.slash(ld.owner, "admins", channel=channel)  # the owner always passes
    await ld.slash(member, "admins")  # default_member_permissions does not apply in DMs
    await ld.set_overwrite(channel, guild.id, deny=P.USE_APPLICATION_COMMANDS)
    with pytest.raises(NotOffered, match="Use Application Commands"):
        await ld.slash(member, "plain", channel=channel)
    await ld.set_overwrite(channel, guild.id, deny=P.VIEW_CHANNEL)
    with pytest.raises(NotOffered, match="cannot see #general"):
        await ld.slash(member, "plain", channel=channel)
    with pytest.raises(NotOffered, match="cannot see"):
        await ld.autocomplete(member, "plain", {}, "x", channel=channel)


async def test_a_server_without_the_bot(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    guild = await guild_with(ld, ann, ben, bot_member=False)
    channel = general(guild)
    assert all(g["id"] != str(guild.id) for g in bot.names("GUILD_CREATE"))
    assert not bot.names("GUILD_MEMBER_ADD")  # no events from a server the bot is not in
    with pytest.raises(NotOffered, match="the app is not in this server; ann has not installed the app"):
        await ld.slash(ann, "anywhere", channel=channel)
    ld.install_for_user(ann)
    await ld.slash(ann, "anywhere", channel=channel)
    it = bot.interactions[-1]
    assert it["context"] == 0 and it["authorizing_integration_owners"] == {"1": str(ann.id)}
    assert it["guild_id"] == str(guild.id) and it["member"]["user"]["id"] == str(ann.id)
    assert it["channel"]["id"] == str(channel.id) and it["guild"] == {
        "id": str(guild.id),
        "locale": "en-US",
        "features": [],
    }
    # The app gets the invoking member's permissions there.
    assert int(it["app_permissions"]) == guild.permissions_in(channel, ann.id)
    with pytest.raises(NotOffered, match="not installed here"):
        await ld.slash(ann, "serverapp", channel=channel)

    # Every bot request on the server answers Missing Access; all of them are recorded.
    missing = {"message": "Missing Access", "code": 50001}
    for method, path, body in (
        ("GET", f"/channels/{channel.id}", None),
        ("POST", f"/channels/{channel.id}/messages", {"content": "hi"}),
        ("GET", f"/channels/{channel.id}/messages/1", None),
        ("GET", f"/guilds/{guild.id}/members/{ann.id}", None),
    ):
        assert await bot.rest(method, path, body) == (403, missing), path
    assert [(r.method, r.status) for r in ld.channel_requests(channel)] == [("GET", 403), ("POST", 403), ("GET", 403)]

    await ld.add_bot(guild)  # the app is installed after all: GUILD_CREATE, and the guild install counts
    await bot.event("GUILD_CREATE", lambda g: g["id"] == str(guild.id))
    await ld.slash(ann, "serverapp", channel=channel)
    assert bot.interactions[-1]["authorizing_integration_owners"] == {"0": str(guild.id)}


async def test_answers_and_followups_where_the_bot_is_not(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    ld.install_for_user(ann)
    guild = await guild_with(ld, ann, ben, bot_member=False)
    channel = general(guild)
    answers: list[Any] = []

    async def answer(it: dict[str, Any]) -> None:
        answers.append(await bot.callback(it, {"type": 5}))
        for i in range(6):
            answers.append(await bot.followup(it, {"content": f"part {i}"}))

    bot.answer = answer
    it = await ld.slash(ann, "anywhere", channel=channel)
    await bot.idle()
    assert answers[0][0] == 200
    assert [status for status, _ in answers[1:]] == [200] * 5 + [400]
    assert answers[-1][1] == {
        "message": "This interaction has hit the maximum number of follow up messages",
        "code": 40094,
    }
    assert len(ld.violations) == 1 and "40094" in ld.violations[0]  # strict: a bot doing this is told
    ld.violations.clear()
    assert it.original is not None and it.original.content == "part 0" and len(it.followups) == 4
    assert not it.original.ephemeral and it.original in ld.messages_in(channel, viewer=ben)
    meta = it.original.to_json()["interaction_metadata"]
    assert meta["authorizing_integration_owners"] == {"1": str(ann.id)} and meta["user"]["id"] == str(ann.id)
    assert ld.channel_requests(channel) == []  # all of it went through the interaction webhooks

    # A server that installed the app has no follow-up limit.
    home = await guild_with(ld, ann)
    answers.clear()
    await ld.slash(ann, "anywhere", channel=general(home))
    await bot.idle()
    assert [status for status, _ in answers] == [200] * 7


async def test_answers_are_ephemeral_without_use_external_apps(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    ld.install_for_user(ann)
    guild = await guild_with(ld, ann, ben, bot_member=False)
    channel = general(guild)
    await ld.set_overwrite(channel, guild.id, deny=P.USE_EXTERNAL_APPS)

    async def answer(it: dict[str, Any]) -> None:
        await bot.reply(it, "public please")
        await bot.followup(it, {"content": "me too"})

    bot.answer = answer
    it = await ld.slash(ann, "anywhere", channel=channel)
    await bot.idle()
    assert it.forced_ephemeral and it.original is not None and it.original.ephemeral and it.followups[0].ephemeral
    assert ld.messages_in(channel, viewer=ben) == [] and len(ld.messages_in(channel, viewer=ann)) == 2

    # The bot in the server: its own permissions rule, nothing is forced.
    home = await guild_with(ld, ann)
    await ld.set_overwrite(general(home), home.id, deny=P.USE_EXTERNAL_APPS)
    it = await ld.slash(ann, "anywhere", channel=general(home))
    assert not it.forced_ephemeral and it.original is not None and not it.original.ephemeral


async def test_components_keep_the_authorising_install(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    ld.install_for_user(ann)
    guild = await guild_with(ld, ann, ben, bot_member=False)
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Next", "custom_id": "next"}]}

    async def answer(it: dict[str, Any]) -> None:
        if it["type"] == 2:
            await bot.callback(it, {"type": 4, "data": {"content": "q", "components": [row]}})
        else:
            await bot.callback(it, {"type": 7, "data": {"content": "next q"}})

    bot.answer = answer
    it = await ld.slash(ann, "anywhere", channel=general(guild))
    assert it.original is not None
    await ld.click(ben, it.original, "Next")
    click = bot.interactions[-1]
    assert click["type"] == 3 and click["context"] == 0 and click["member"]["user"]["id"] == str(ben.id)
    assert click["authorizing_integration_owners"] == {"1": str(ann.id)}  # ann's install, ben's click
    assert click["message"]["id"] == str(it.original.id)

    # A DM message belongs to its user alone.
    dm_it = await ld.slash(ann, "anywhere")
    assert dm_it.original is not None
    with pytest.raises(AssertionError, match="cannot see the DM"):
        await ld.click(ben, dm_it.original, "Next")


async def test_guild_commands_stay_in_their_guild(ld: LocalDiscord, bot: FakeBot) -> None:
    ann = ld.create_user("ann")
    home, other = await guild_with(ld, ann), await guild_with(ld, ann)
    await bot.register(
        [{"name": "local", "description": "d", "contexts": [0, 1, 2], "integration_types": [0, 1]}], home.id
    )
    ld.install_for_user(ann)
    await ld.slash(ann, "local", channel=general(home))
    it = bot.interactions[-1]
    assert it["authorizing_integration_owners"] == {"0": str(home.id)} and it["data"]["guild_id"] == str(home.id)
    with pytest.raises(AssertionError, match="not registered"):
        await ld.slash(ann, "local", channel=general(other))
    with pytest.raises(AssertionError, match="not registered"):
        await ld.slash(ann, "local")
    await ld.remove_bot(home)
    with pytest.raises(NotOffered, match="not installed here"):
        await ld.slash(ann, "local", channel=general(home))


async def test_private_channels_are_missing_access_for_the_bot(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    pair = ld.private_channel(ann, ben)
    status, body = await bot.rest("POST", f"/channels/{pair.id}/messages", {"content": "hi"})
    assert (status, body) == (403, {"message": "Missing Access", "code": 50001})
    with pytest.raises(AssertionError, match="not in that private channel"):
        await ld.slash(ld.create_user("cy"), "anywhere", channel=pair)


async def test_server_command_permissions_override_the_defaults(ld: LocalDiscord, bot: FakeBot) -> None:
    """Server Settings > Integrations: an allow beats default_member_permissions, a deny hides the command."""
    joe, sue, admin = ld.create_user("joe"), ld.create_user("sue"), ld.create_user("admin")
    guild = await guild_with(ld, joe)
    await ld.add_member(guild, sue, permissions=P.MANAGE_GUILD)
    await ld.add_member(guild, admin, permissions=P.ADMINISTRATOR)
    channel = general(guild)
    ld.set_command_permission(guild, "managers", joe.id, True)
    await ld.slash(joe, "managers", channel=channel)
    ld.set_command_permission(guild, "managers", guild.id, False)  # off for @everyone
    with pytest.raises(NotOffered, match="turned off for sue"):
        await ld.slash(sue, "managers", channel=channel)
    await ld.slash(joe, "managers", channel=channel)  # a user's own entry wins
    await ld.slash(admin, "managers", channel=channel)  # administrators can use every command
    role = next(iter(guild.members[sue.id].roles))
    ld.set_command_permission(guild, "managers", role, True)
    await ld.slash(sue, "managers", channel=channel)
    ld.set_command_permission(guild, "managers", joe.id, None)
    with pytest.raises(NotOffered, match="turned off for joe"):
        await ld.slash(joe, "managers", channel=channel)
