"""Command line: `python -m bot {run,migrate,content,sync-commands,console}` (also `studybot`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.settings import ConfigError, Settings, load_settings

DESCRIPTION = "AI-roadmap study bot: a Discord study companion with spaced repetition."


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "run",
        help="connect to Discord and serve (needs DISCORD_TOKEN); migrates the database first",
        description="Run the bot. Needs DISCORD_TOKEN; brings the database schema to the latest version "
        "first. Stops cleanly on Ctrl-C or SIGTERM.",
    )
    sub.add_parser(
        "migrate",
        help="create or upgrade the database schema (DATABASE_URL) to the latest version",
        description="Bring the database at DATABASE_URL to the latest schema (Alembic upgrade head).",
    )
    c = sub.add_parser(
        "content",
        help="content tools: `content check [PATH]` validates a content folder",
        description="Content tools for authors.",
    )
    csub = c.add_subparsers(dest="content_command", metavar="ACTION")
    chk = csub.add_parser(
        "check",
        help="validate a content folder and print a summary or every error",
        description="Validate roadmap.yaml and all question files; exits 1 on any error.",
    )
    chk.add_argument("path", nargs="?", type=Path, default=None, help="content folder (default: ./content)")
    s = sub.add_parser(
        "sync-commands",
        help="register the slash commands with Discord now",
        description="Register the application commands explicitly (normally the bot syncs only "
        "when the command definitions changed).",
    )
    s.add_argument("--guild", type=int, default=None, help="sync to one guild (instant) instead of globally")
    con = sub.add_parser(
        "console",
        help="try the bot offline: a local Discord server and a terminal user",
        description="Start a local Discord-compatible server and the real bot against it, and "
        "drive it from the terminal (or piped input). No token needed.",
    )
    con.add_argument("--database", default=None, help="database URL (default: a temporary SQLite file)")
    return p


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_content_check(path: Path | None) -> int:
    from bot.content import ContentError, format_summary, load_content

    folder = path or _settings().content_dir
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    try:
        content = load_content(folder)
    except ContentError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        errors = sum(1 for i in exc.issues if not i.warning)
        print(f"{errors} error(s) in {folder}", file=sys.stderr)
        return 1
    print(format_summary(content))
    return 0


async def _migrate(settings: Settings) -> None:
    from bot.db.migrate import current_revision, upgrade
    from bot.db.session import create_engine

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        print(f"database is at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()


def _setup_logs(settings: Settings) -> None:
    from bot.logs import setup_logging

    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    setup_logging(settings.log_level, json_logs=settings.log_json, secrets=[token] if token else [])


def cmd_run(settings: Settings) -> int:
    from bot.content import ContentError
    from bot.runner import run_forever

    try:
        token = settings.require_token()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if sys.stdin.isatty():
            answer = input("Start the offline console with a local Discord instead? [Y/n] ").strip().lower()
            if answer in ("", "y", "yes"):
                return cmd_console(None)
        return 2
    _setup_logs(settings)
    try:
        asyncio.run(run_forever(settings, token))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def cmd_sync(settings: Settings, guild: int | None) -> int:
    from bot.endpoint import apply_endpoints
    from bot.runner import build_services, create_bot

    try:
        token = settings.require_token()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _setup_logs(settings)

    async def go() -> int:
        services = await build_services(settings)
        try:
            await apply_endpoints(settings, token)
            bot = create_bot(services, mode="sync")
            async with bot:
                await bot.login(token)
                n = await bot.sync_commands(guild)
            print(f"synced {n} commands" + (f" to guild {guild}" if guild else " globally"))
            return 0
        finally:
            await services.engine.dispose()

    return asyncio.run(go())


def cmd_console(database: str | None) -> int:
    from bot.console import main as console_main

    return console_main(database)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    if args.command == "content":
        if args.content_command != "check":
            _parser().parse_args(["content", "--help"])
        return cmd_content_check(args.path)
    if args.command == "console":
        return cmd_console(args.database)
    settings = _settings()
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "sync-commands":
        return cmd_sync(settings, args.guild)
    return 2


if __name__ == "__main__":
    sys.exit(main())
