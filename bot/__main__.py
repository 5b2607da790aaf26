"""Command line: `python -m bot {run,migrate,content,sync-commands,backup,move-data,console}` (also `studybot`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.settings import ConfigError, Settings, load_settings

DESCRIPTION = "AI-roadmap study bot: a Discord study companion with spaced repetition."


def _content_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    content = sub.add_parser(
        "content",
        help="content tools: `content check [PATH]` validates a content folder, `content report` analyses answers",
        description="Content tools for authors.",
    )
    csub = content.add_subparsers(dest="content_command", metavar="ACTION")
    chk = csub.add_parser(
        "check",
        help="validate a content folder and print a summary or every error",
        description="Validate roadmap.yaml and all question files; exits 1 on any error.",
    )
    chk.add_argument("path", nargs="?", type=Path, default=None, help="content folder (default: ./content)")
    rep = csub.add_parser(
        "report",
        help="how each question performs with learners (from the review log) and which need a look",
        description="Item analysis from the database at DATABASE_URL: per question attempts, first-try "
        "success, lapse rate, median answer time, option pick rates and problem reports; flagged questions "
        "(reported, likely mis-keyed, too hard or too easy, distractors nobody picks) come first.",
    )
    rep.add_argument("--since", type=int, default=None, metavar="DAYS", help="only the last DAYS days")
    rep.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    rep.add_argument("--limit", type=int, default=None, metavar="N", help="show at most N questions")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    _content_parser(sub)
    sync = sub.add_parser(
        "sync-commands",
        help="register the slash commands with Discord now",
        description="Register the application commands explicitly (normally the bot syncs only "
        "when the command definitions changed).",
    )
    sync.add_argument("--guild", type=int, default=None, help="sync to one guild (instant) instead of globally")
    backup_cmd = sub.add_parser(
        "backup",
        help="a consistent copy of the live SQLite database (safe while the bot runs)",
        description="Copy the SQLite database at DATABASE_URL with SQLite's online backup API, which is "
        "safe while the bot writes. PATH is a file or a folder (default: BACKUP_DIR, ./data/backups). "
        "For PostgreSQL use pg_dump.",
    )
    backup_cmd.add_argument("path", nargs="?", type=Path, default=None, help="file or folder for the copy")
    mv = sub.add_parser(
        "move-data",
        help="copy every table from the SQLite database to PostgreSQL",
        description="Migrate the target database to the latest schema and copy every table of the "
        "configured SQLite database (DATABASE_URL) into it, in one transaction. Refuses a target that "
        "already holds rows unless --force. Prints row counts and checksums per table; exits 1 if any differ. "
        "Stop the bot first.",
    )
    mv.add_argument("--to", required=True, metavar="URL", help="e.g. postgresql+asyncpg://user@host/dbname")
    mv.add_argument("--force", action="store_true", help="replace the rows a non-empty target holds")
    con = sub.add_parser(
        "console",
        help="try the bot offline: a local Discord server and a terminal user",
        description="Start a local Discord-compatible server and the real bot against it, and "
        "drive it from the terminal (or piped input). No token needed.",
    )
    con.add_argument("--database", default=None, help="database URL (default: a temporary SQLite file)")
    return parser


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_content_check(path: Path | None) -> int:
    """Validate, try every numeric variant over many draws, lint; non-zero on any error."""
    from bot.content import ContentError, format_summary, load_content
    from bot.content.lint import format_cue_table, rule_counts, variant_issues

    folder = path or _settings().content_dir
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    try:
        content = load_content(folder, lint=True)
    except ContentError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        errors = sum(1 for i in exc.issues if not i.warning)
        print(f"{errors} error{'' if errors == 1 else 's'} in {folder}", file=sys.stderr)
        return 1
    print(format_summary(content))
    findings = [*variant_issues(content), *content.lint]
    for issue in findings:
        print(issue)
    print(format_cue_table(content))
    counts = rule_counts(findings)
    print("Lint: " + (", ".join(f"{rule} {e} errors {w} warnings" for rule, (e, w) in counts.items()) or "clean"))
    errors = sum(e for e, _ in counts.values())
    if errors:
        print(f"{errors} lint error{'' if errors == 1 else 's'} in {folder}", file=sys.stderr)
        return 1
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
    from bot.logs import parse_levels, setup_logging

    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    setup_logging(
        settings.log_level,
        json_logs=settings.log_json,
        secrets=[token] if token else [],
        levels=parse_levels(settings.log_levels),
    )


TOKEN_REJECTED = (
    "Discord rejected the token: {reason}; reset it in the developer portal "
    "(https://discord.com/developers/applications → your application → Bot → Reset Token) "
    "and update DISCORD_TOKEN."
)


def cmd_run(settings: Settings) -> int:
    import discord

    from bot.content import ContentError
    from bot.runner import MigrationError, run_forever

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
    except discord.LoginFailure as exc:
        print(TOKEN_REJECTED.format(reason=str(exc).rstrip(".") or "improper token"), file=sys.stderr)
        return 2
    except (ContentError, MigrationError) as exc:
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
                count = await bot.sync_commands(guild)
            print(f"synced {count} commands" + (f" to guild {guild}" if guild else " globally"))
            return 0
        finally:
            await services.engine.dispose()

    import discord

    try:
        return asyncio.run(go())
    except discord.LoginFailure as exc:
        print(TOKEN_REJECTED.format(reason=str(exc).rstrip(".") or "improper token"), file=sys.stderr)
        return 2


def cmd_content_report(since: int | None, as_json: bool, limit: int | None) -> int:
    import json
    from datetime import UTC, datetime, timedelta

    from sqlalchemy.exc import DBAPIError

    from bot.content import ContentError, load_content
    from bot.db.session import create_engine, session_factory
    from bot.study import item_analysis

    if (since is not None and since < 1) or (limit is not None and limit < 1):
        print("error: --since and --limit take a whole number of at least 1", file=sys.stderr)
        return 2
    settings = _settings()
    try:
        content = load_content(settings.content_dir)
    except ContentError as exc:
        print(f"error: the content folder is invalid ({exc.args[0].splitlines()[0]})", file=sys.stderr)
        return 1

    async def go() -> list[item_analysis.ItemStats]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                start = datetime.now(UTC) - timedelta(days=since) if since is not None else None
                return await item_analysis.analyse(session, content, start)
        finally:
            await engine.dispose()

    try:
        items = asyncio.run(go())
    except DBAPIError as exc:
        print(f"error: cannot read the review log ({exc.orig}); run `python -m bot migrate` first?", file=sys.stderr)
        return 1
    if as_json:
        shown = items if limit is None else items[:limit]
        print(
            json.dumps(
                {"content_version": content.version, "since_days": since, "questions": [i.as_json() for i in shown]},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(item_analysis.render_text(items, since_days=since, version=content.version, limit=limit))
    return 0


def cmd_backup(settings: Settings, path: Path | None) -> int:
    from bot.db import backup

    try:
        source = backup.sqlite_file(settings.database_url)
        done = backup.backup_file(source, path or settings.backup_dir)
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {done} ({done.stat().st_size:,} bytes)")
    return 0


def cmd_move_data(settings: Settings, to: str, force: bool) -> int:
    from bot.db.move import MoveError, format_reports, move_data
    from bot.db.session import create_engine
    from bot.settings import load_settings

    try:
        target_url = load_settings(database_url=to, _env_file=None).database_url
    except ConfigError as exc:
        print(f"error: --to: {exc}", file=sys.stderr)
        return 2

    async def go() -> int:
        source, target = create_engine(settings.database_url), create_engine(target_url)
        try:
            reports = await move_data(source, target, force=force)
        except MoveError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        finally:
            await source.dispose()
            await target.dispose()
        print(format_reports(reports))
        if all(r.equal for r in reports):
            print("every table matches: point DATABASE_URL at the new database and start the bot")
            return 0
        print("error: some tables differ (see above)", file=sys.stderr)
        return 1

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
        if args.content_command == "report":
            return cmd_content_report(args.since, args.json, args.limit)
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
    if args.command == "backup":
        return cmd_backup(settings, args.path)
    if args.command == "move-data":
        return cmd_move_data(settings, args.to, args.force)
    return 2


if __name__ == "__main__":
    sys.exit(main())
