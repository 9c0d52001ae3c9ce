"""What keeps the bot's resident memory small (issue #17): Alembic is not loaded when there is
nothing to migrate, nor asyncpg on SQLite; whole messages are not kept in the folding cache (the
word lists, kept as hashes: tests/test_wordlists.py)."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from storage.db import Database
from storage.migrate import alembic_config, at_head, head_revision

LOADED = """
import asyncio, sys
from storage.db import Database
from storage.migrate import upgrade

async def main():
    db = Database(sys.argv[1])
    await upgrade(db.engine)
    await db.dispose()

asyncio.run(main())
print(" ".join(m for m in ("alembic", "mako", "pygments", "asyncpg") if m in sys.modules))
"""


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade_in_a_new_process(url: str) -> list[str]:
    """`upgrade` as a starting bot runs it; the heavy modules it loaded."""
    return subprocess.run(
        [sys.executable, "-c", LOADED, url], capture_output=True, text=True, check=True
    ).stdout.split()


async def test_a_database_at_head_is_left_alone_without_loading_alembic(
    database_url: str,
) -> None:
    assert "alembic" in _upgrade_in_a_new_process(database_url)  # a new database: migrated
    database = Database(database_url)
    try:
        assert await at_head(database.engine)
    finally:
        await database.dispose()
    loaded = _upgrade_in_a_new_process(database_url)  # the next start: nothing to migrate
    assert "alembic" not in loaded and "mako" not in loaded and "pygments" not in loaded
    if database_url.startswith("sqlite"):
        assert "asyncpg" not in loaded


def test_whole_messages_are_not_kept_in_the_folding_cache() -> None:
    from knowledge.text import _fold_word, fold

    before = _fold_word.cache_info().currsize
    for n in range(500):
        assert fold(f"¿Cuál es el trámite número {n} para la formalización minera?") == (
            f"¿cual es el tramite numero {n} para la formalizacion minera?"
        )
    assert _fold_word.cache_info().currsize == before
    assert fold("Formalización") == "formalizacion"
    assert _fold_word.cache_info().currsize <= before + 1
