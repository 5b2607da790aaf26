"""Run Alembic migrations from code (CLI `migrate`, start-up, tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine


def project_root() -> Path:
    """Where alembic.ini and migrations/ are: the source tree, or the working directory
    of an installed copy (the Docker image runs from /app)."""
    for candidate in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (candidate / "migrations" / "env.py").is_file():
            return candidate
    raise FileNotFoundError("migrations/ not found: run from the project folder (the one with alembic.ini)")


def alembic_config(url: str | None = None) -> Config:
    root = project_root()
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.attributes["configure_logger"] = False
    if url:
        cfg.attributes["url"] = url
    return cfg


async def _alembic(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    cfg = alembic_config()
    async with engine.connect() as conn:

        def run(sync_conn: object) -> None:
            cfg.attributes["connection"] = sync_conn
            step(cfg, revision)

        await conn.run_sync(run)
        await conn.commit()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema of ``engine``'s database to ``revision``."""
    await _alembic(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _alembic(engine, command.downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
