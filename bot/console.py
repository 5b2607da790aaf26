"""`python -m bot console`: try the bot offline.

Starts a local Discord-compatible server and the real bot against it, then lets you act
as a user from the terminal (or piped input): run slash commands, press buttons and pick
menu options by number, read your DMs, and move the clock to trigger the daily digest.
Nothing here talks to the real Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shlex
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.client import StudyBot
from bot.clock import Clock
from localdiscord import LocalDiscord, Message
from localdiscord.render import render
from localdiscord.state import Interaction

BANNER = """\
╭────────────────────────────────────────────────────────────────────────────╮
│  AI-roadmap study bot — OFFLINE CONSOLE (local Discord, not the real one)   │
╰────────────────────────────────────────────────────────────────────────────╯
You are "you" in the server "Local Study Hall", channel #general. Type `help`."""

CONTROLS = """\
Console:
  /roadmap level:2              run a slash command in #general (quote values with spaces:
  /quiz topic:"linear algebra"  topic:"Linear algebra"); prefix with `dm` to run it in DMs
  2                             press button 2 of the latest message that has buttons
  1 3                           in menu 1 of that message, pick option 3
  #4 2  ·  #4 1 3               the same on message #4 (every message shown is numbered)
  complete /quiz topic:back     show autocomplete suggestions
  dms                           show the DMs the bot sent you
  advance 1d | 3h | 30m         move the clock forward, then run the digest tick
  time                          show the bot's clock
  help, quit"""

_DURATION = re.compile(r"^(\d+)\s*([dhm])$")


def _usage(prefix: str, option: dict[str, Any]) -> list[str]:
    """``/settings timezone <name>``-style lines for a command or a subcommand group."""
    subs = [o for o in option.get("options") or [] if o["type"] in (1, 2)]
    if subs:
        return [line for sub in subs for line in _usage(f"{prefix} {sub['name']}", sub)]
    args = " ".join(f"<{o['name']}>" if o.get("required") else f"[{o['name']}]" for o in option.get("options") or [])
    usage, what = (prefix + " " + args).strip(), option.get("description", "")
    if len(usage) > 42:
        return [f"  {usage}", f"  {'':<44}{what}"]
    return [f"  {usage:<44}{what}"]


class Console:
    def __init__(self, ld: LocalDiscord, bot: StudyBot, clock: Clock) -> None:
        self.ld, self.bot, self.clock = ld, bot, clock
        self.shown: list[Message] = []  # every message shown, numbered from 1
        self.components: dict[int, list[dict[str, Any]]] = {}  # message id → its numbered components
        self.modal: Interaction | None = None  # a form waiting for the user's answer
        self.seen_dms = 0
        self.seen_posts = 0

    async def setup(self) -> None:
        self.user = self.ld.owner
        self.user.username = "you"
        self.guild = await self.ld.create_guild("Local Study Hall", self.user)
        self.channel = next(iter(self.guild.channels.values()))
        await self.ld.settle()

    def show(self, msg: Message | None) -> None:
        if msg is None:
            print("(no answer)")
            return
        if all(m.id != msg.id for m in self.shown):
            self.shown.append(msg)
        number = next(i for i, m in enumerate(self.shown, 1) if m.id == msg.id)
        numbered: list[dict[str, Any]] = []
        text = render(msg, numbered)
        print(f"── #{number} {text.removeprefix('── ')}")
        self.components[msg.id] = numbered

    def help_text(self) -> str:
        """The slash commands the bot registered, with their options, then the console's own."""
        lines = ["Slash commands (<required> [optional]):"]
        for command in sorted(self.ld.commands.get(None, []), key=lambda c: str(c["name"])):
            lines += _usage(f"/{command['name']}", command)
        return "\n".join([*lines, "", CONTROLS])

    def _target(self, number: int | None) -> Message:
        """Message #number, or the latest one with buttons or menus."""
        if number is not None:
            if not 1 <= number <= len(self.shown):
                raise ValueError(f"there is no message #{number} (1–{len(self.shown)})")
            return self.shown[number - 1]
        for msg in reversed(self.shown):
            if self.components.get(msg.id):
                return msg
        raise ValueError("nothing to press yet: run a command first" if not self.shown else "no message has buttons")

    def show_answer(self, it: Interaction, clicked: Message | None = None, edited_before: object = None) -> None:
        """What an interaction produced: the clicked message if it changed, and new messages."""
        if it.modal is not None and not it.modal_closed:
            self.modal = it
            self._show_modal(it.modal)
            return
        fresh = list({m.id: m for m in (it.original, *it.followups) if m is not None and m is not clicked}.values())
        if clicked is not None and (clicked.edited != edited_before or not fresh):
            self.show(clicked)
        for msg in fresh:
            self.show(msg)
        if clicked is None and not fresh:
            print("(no answer)")

    @staticmethod
    def _form_fields(modal: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Each input of a form with its label (a label row names the input it holds)."""
        fields = []
        for row in modal.get("components") or []:
            for field in row.get("components") or [row.get("component") or {}]:
                if field.get("custom_id"):
                    fields.append((row.get("label") or field.get("label") or "", field))
        return fields

    def _show_modal(self, modal: dict[str, Any]) -> None:
        print(f"📝 Form: {modal.get('title', '')}")
        fields = self._form_fields(modal)
        for label, field in fields:
            if field.get("type") == 3:
                choices = ", ".join(f"{n}. {o['label']}" for n, o in enumerate(field.get("options") or [], 1))
                print(f"  {label} — pick one: {choices}")
            else:
                hint = f" (e.g. {field['placeholder']})" if field.get("placeholder") else ""
                optional = " (optional)" if field.get("required") is False and "optional" not in label else ""
                print(f"  {label}{optional}{hint}")
        joined = " | ".join(label or "answer" for label, _ in fields)
        how = f"Type `{joined}` and press Enter" if len(fields) > 1 else "Type your answer and press Enter"
        print(f"  {how} (`cancel` to close the form).")

    async def _submit_modal(self, line: str) -> None:
        it, self.modal = self.modal, None
        assert it is not None and it.modal is not None
        if line == "cancel":
            print("(form closed)")
            return
        fields = [field for _, field in self._form_fields(it.modal)]
        typed = [part.strip() for part in line.split("|")] if len(fields) > 1 else [line]
        values: dict[str, Any] = {}
        for field, text in zip(fields, typed, strict=False):
            values[field["custom_id"]] = self._pick(field, text) if field.get("type") == 3 else text
        clicked = it.message
        before = clicked.edited if clicked else None
        sent = await self.ld.submit_modal(self.user, it, values, timeout=15)
        await self.ld.settle()
        self.show_answer(sent, clicked, before)

    @staticmethod
    def _pick(field: dict[str, Any], text: str) -> list[str]:
        """A select's answer typed as its number, its label or its value."""
        options = field.get("options") or []
        for number, option in enumerate(options, 1):
            if text in (str(number), option.get("value")) or text.casefold() == str(option.get("label")).casefold():
                return [option["value"]]
        if not text:
            return []
        labels = ", ".join(f"{number}. {option.get('label')}" for number, option in enumerate(options, 1))
        raise ValueError(f"{text!r} is not one of the choices: {labels}")

    def show_new_posts(self) -> None:
        posts = [message for message in self.ld.messages_in(self.channel) if message.interaction_user is None]
        for message in posts[self.seen_posts :]:
            print(f"📣 New post in #{self.channel.name}:")
            self.show(message)
        self.seen_posts = len(posts)

    def show_new_dms(self) -> None:
        dms = self.ld.dms_to(self.user)
        for message in dms[self.seen_dms :]:
            print("📩 New DM:")
            self.show(message)
        self.seen_dms = len(dms)

    def _options(self, command: str, tokens: list[str]) -> dict[str, Any]:
        spec = next((c for c in self.ld.commands.get(None, []) if c["name"] == command.split()[0]), None)
        if spec is None:
            raise ValueError(f"no command /{command.split()[0]}; try /roadmap, /quiz, /resources, /settings …")
        opts = spec.get("options") or []
        for part in command.split()[1:]:
            opts = next((o.get("options") or [] for o in opts if o["name"] == part), [])
        types = {o["name"]: o["type"] for o in opts}
        out: dict[str, Any] = {}
        for tok in tokens:
            name, sep, value = tok.partition(":")
            if not sep:
                raise ValueError(f"options look like name:value, got {tok!r}")
            kind = types.get(name)
            if kind is None:
                raise ValueError(f"/{command} has no option {name!r}; options: {', '.join(types) or 'none'}")
            if kind == 7:  # a channel: by name, with or without '#'
                wanted = value.lstrip("#")
                found = [c for c in self.guild.channels.values() if c.name == wanted and not c.deleted]
                if not found:
                    names = ", ".join(f"#{c.name}" for c in self.guild.channels.values() if not c.deleted)
                    raise ValueError(f"no channel #{wanted}; channels: {names}")
                out[name] = found[0]
                continue
            try:
                if kind == 4:
                    out[name] = int(value)
                elif kind == 10:
                    out[name] = float(value)
                elif kind == 5:
                    out[name] = value.lower() in ("1", "true", "yes", "on")
                else:
                    out[name] = value
            except ValueError:
                raise ValueError(f"{name} must be a {'whole number' if kind == 4 else 'number'}") from None
        return out

    def _split(self, line: str) -> tuple[str, list[str]]:
        parts = shlex.split(line[1:])
        spec = {c["name"]: c for c in self.ld.commands.get(None, [])}
        words = [parts[0]] if parts else []
        cmd = spec.get(parts[0]) if parts else None
        rest = parts[1:]
        while cmd and rest and ":" not in rest[0]:
            sub = next((o for o in cmd.get("options") or [] if o["name"] == rest[0] and o["type"] in (1, 2)), None)
            if sub is None:
                break
            words.append(rest.pop(0))
            cmd = sub
        return " ".join(words), rest

    async def handle(self, line: str) -> bool:
        line = line.strip()
        if not line or (line.startswith("#") and not re.match(r"#\d", line)):
            return True
        if line in ("quit", "exit"):
            return False
        try:
            if self.modal is not None:
                await self._submit_modal(line)
            else:
                await self._handle(line)
        except (ValueError, AssertionError) as exc:
            print(f"⚠ {exc}")
        except Exception as exc:  # noqa: BLE001 - the console keeps going; the error is shown
            print(f"⚠ unexpected error: {type(exc).__name__}: {exc}")
        self.show_new_posts()
        self.show_new_dms()
        return True

    async def _handle(self, line: str) -> None:
        if line == "help":
            print(self.help_text())
        elif line == "time":
            print(f"bot clock: {self.clock.now():%Y-%m-%d %H:%M} UTC")
        elif line == "dms":
            for message in self.ld.dms_to(self.user):
                self.show(message)
            self.seen_dms = len(self.ld.dms_to(self.user))
        elif line.startswith("advance "):
            await self._advance(line.split(None, 1)[1].strip())
        elif line.startswith("complete "):
            command, tokens = self._split(line.split(None, 1)[1])
            opts = self._options(command, tokens)
            focused = list(opts)[-1] if opts else ""
            for choice in await self.ld.autocomplete(self.user, command, opts, focused, channel=self.channel):
                print(f"  {choice['name']}  →  {choice['value']}")
        elif line.startswith("/") or line.startswith("dm /"):
            in_dm = line.startswith("dm ")
            command, tokens = self._split(line[3:] if in_dm else line)
            where = None if in_dm else self.channel
            it = await self.ld.slash(self.user, command, self._options(command, tokens), channel=where, timeout=15)
            await self.ld.settle()
            self.show_answer(it)
        elif match := re.fullmatch(r"(?:#(\d+) )?(\d+)(?: (\d+))?", line):
            number, nums = match.group(1), [int(x) for x in match.groups()[1:] if x is not None]
            await self._press(int(number) if number else None, nums)
        else:
            raise ValueError("unknown input; type `help`")

    async def _tick(self) -> int:
        return await self.bot.scheduler.tick() if self.bot.scheduler is not None else 0

    async def _advance(self, text: str) -> None:
        match = _DURATION.match(text)
        if not match:
            raise ValueError("use e.g. `advance 1d`, `advance 3h` or `advance 30m`")
        amount, unit = int(match.group(1)), match.group(2)
        left = {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(unit, timedelta(minutes=amount))
        sent = 0
        while left > timedelta(0):  # step like a running bot, so nothing looks like downtime
            step = min(left, timedelta(minutes=15))
            self.clock.advance(step)
            left -= step
            sent += await self._tick()
        handled = "1 delivery" if sent == 1 else f"{sent} deliveries"
        print(f"⏩ clock now {self.clock.now():%Y-%m-%d %H:%M} UTC; {handled} handled")

    async def _press(self, number: int | None, nums: list[int]) -> None:
        msg = self._target(number)
        components = self.components.get(msg.id) or []
        if not components:
            raise ValueError(f"message #{self.shown.index(msg) + 1} has no buttons or menus")
        if not 1 <= nums[0] <= len(components):
            raise ValueError(f"there is no component {nums[0]} (1–{len(components)})")
        comp = components[nums[0] - 1]
        before = msg.edited
        if comp.get("type") == 3:
            if len(nums) != 2:
                raise ValueError(f"{nums[0]} is a menu: add the option number, e.g. `{nums[0]} 2`")
            options = comp.get("options") or []
            if not 1 <= nums[1] <= len(options):
                raise ValueError(f"the menu has options 1–{len(options)}")
            it = await self.ld.select(self.user, msg, comp["custom_id"], [options[nums[1] - 1]["value"]], timeout=15)
        else:
            it = await self.ld.click(self.user, msg, comp["custom_id"], timeout=15)
        await self.ld.settle()
        self.show_answer(it, msg, before)


def main(database: str | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)
    return asyncio.run(_main(database))


async def _main(database: str | None) -> int:
    from bot.clock import Clock
    from bot.endpoint import reset_endpoints
    from bot.runner import build_services, start_bot, stop_bot
    from bot.settings import Settings

    ld = await LocalDiscord().start()
    tmp = tempfile.TemporaryDirectory(prefix="studybot-console-")
    url = database or f"sqlite+aiosqlite:///{Path(tmp.name) / 'console.sqlite3'}"
    clock = Clock()
    clock.set(datetime.now(UTC).replace(second=0, microsecond=0))
    settings = Settings(
        discord_token=SecretStr(ld.token),
        database_url=url,
        discord_api_base=ld.api_base,
        discord_gateway_url=ld.gateway_url,
        dispatch_interval_seconds=0,
        backup_daily=False,
        _env_file=None,
    )  # type: ignore[call-arg]
    services = await build_services(settings, clock=clock)
    bot, task = await start_bot(services, ld.token, guild_ready_timeout=0.1)

    console = Console(ld, bot, clock)
    await console.setup()
    print(BANNER)
    interactive = sys.stdin.isatty()
    loop = asyncio.get_running_loop()
    try:
        while True:
            if interactive:
                print("you> ", end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            if not interactive:
                print(f"you> {line.rstrip()}")
            if not await console.handle(line):
                break
    finally:
        await stop_bot(bot, task)
        await services.engine.dispose()
        reset_endpoints()
        await ld.stop()
        with contextlib.suppress(OSError):
            tmp.cleanup()
    if ld.violations:
        print("⚠ the bot broke Discord's rules during this session:\n  " + "\n  ".join(ld.violations))
        return 1
    return 0
