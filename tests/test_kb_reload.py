"""End to end: a specialist edits the Tool Kit in KB_DIR while Minka runs. `kb recargar`
publishes a sound edit without a restart; a broken one never replaces the good version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import kb_reload
from bot.config import ConfigError, Settings, load_settings
from knowledge.loader import CONTENT_DIR
from storage.db import Database
from tests.chat import Person as Chatter
from tests.cli import kb_copy, minka  # noqa: F401 (kb_copy: the `settings` of these tests)
from tests.helpers import logged

QUESTION = "cuanto se paga de derecho de vigencia por hectarea"
ARTICLE = "concesiones-derecho-de-vigencia.md"
MARK = "Texto corregido por la especialista de la DGFM."


async def test_edit_is_published_without_restart_and_broken_edit_is_not(
    ana: Chatter, bot: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="bot.kb_reload")
    assert bot.kb_dir is not None
    path = bot.kb_dir / "articles" / ARTICLE
    (before,) = await ana.say(QUESTION)
    assert before.text.startswith("¿Cuánto se paga de derecho de vigencia?")
    assert MARK not in before.text

    good = path.read_text(encoding="utf-8").replace("\n---\n", f"\n---\n{MARK}\n\n", 1)
    path.write_text(good, encoding="utf-8")
    (still,) = await ana.say(QUESTION)
    assert MARK not in still.text  # nothing changes until a specialist asks for it
    result = await minka(bot, "kb", "recargar")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "está en orden" in result.stdout
    assert str(bot.kb_dir) in await logged(caplog, "Tool Kit reloaded")
    (after,) = await ana.say(QUESTION)
    assert MARK in after.text

    path.write_text("sin encabezado\n", encoding="utf-8")  # a broken save
    refused = await minka(bot, "kb", "recargar")
    assert refused.returncode == 1
    assert f"{path}:1: falta el encabezado" in refused.stdout
    assert "No se pidió la recarga" in refused.stdout
    # Another replica, whose copy was sound, asks for a reload: this one checks its own copy.
    db = Database(bot.database_url)
    try:
        await kb_reload.request(db)
    finally:
        await db.dispose()
    line = await logged(caplog, "NOT reloaded")
    assert f"{path}:1: falta el encabezado" in line and "\n" not in line
    (served,) = await ana.say(QUESTION)
    assert MARK in served.text  # the last good version


def test_kb_dir_must_be_a_tool_kit_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KB_DIR no es una carpeta del Tool Kit"):
        load_settings(kb_dir=str(tmp_path), _env_file=None)
    assert load_settings(kb_dir=str(CONTENT_DIR), _env_file=None).content_dir == CONTENT_DIR
    assert load_settings(_env_file=None).content_dir == CONTENT_DIR


async def test_one_request_reloads_every_replica(db: Database, tmp_path: Path) -> None:
    """Two processes on one database, each with its own copy of the folder: one
    `kb recargar` reaches both; each checks its own copy (one sound, one broken)."""
    from bot.runtime import Runtime
    from knowledge.base import KnowledgeBase

    replicas = []
    for name in ("a", "b"):
        folder = tmp_path / name
        shutil.copytree(CONTENT_DIR, folder)
        settings = load_settings(database_url=db.url, kb_dir=str(folder), _env_file=None)
        replicas.append((Runtime(settings, db, KnowledgeBase.load(folder)), {}, folder))
    for runtime, memory, _folder in replicas:
        assert await kb_reload.poll(runtime, memory) is None  # first look: nothing to do
    for _runtime, _memory, folder in replicas:
        article = folder / "articles" / ARTICLE
        article.write_text(
            article.read_text(encoding="utf-8").replace("\n---\n", f"\n---\n{MARK}\n\n", 1),
            encoding="utf-8",
        )
    (replicas[1][2] / "articles" / ARTICLE).write_text("sin encabezado\n", encoding="utf-8")
    old_b = replicas[1][0].knowledge
    await kb_reload.request(db)
    results = [await kb_reload.poll(runtime, memory) for runtime, memory, _f in replicas]
    assert results == [True, False]
    assert MARK in replicas[0][0].knowledge.kit.articles[ARTICLE[:-3]].body
    assert replicas[1][0].knowledge is old_b  # the broken copy never replaced the good one
    assert [await kb_reload.poll(r, m) for r, m, _f in replicas] == [None, None]  # once each


async def test_stale_dates_warn_but_never_block_a_fix(
    ana: Chatter, bot: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """After a deadline passes, `kb revisar` (CI) fails, but the running bot still publishes
    edits: the one being published may be the fix. The staleness is logged and printed."""
    caplog.set_level("INFO", logger="bot.kb_reload")
    assert bot.kb_dir is not None
    stale = bot.kb_dir / "articles" / "formalizacion-plazos.md"
    text = stale.read_text(encoding="utf-8")
    stale.write_text(
        text.replace("review_by: 2026-12-31", "review_by: 2026-01-01").replace(
            "{date: 2026-12-31,", "{date: 2026-01-01,"
        ),
        encoding="utf-8",
    )
    assert (await minka(bot, "kb", "revisar")).returncode == 1
    path = bot.kb_dir / "articles" / ARTICLE
    path.write_text(
        path.read_text(encoding="utf-8").replace("\n---\n", f"\n---\n{MARK}\n\n", 1),
        encoding="utf-8",
    )
    result = await minka(bot, "kb", "recargar")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"aviso: {stale}:" in result.stderr
    assert str(stale) in await logged(caplog, "out of date")
    await logged(caplog, "Tool Kit reloaded")
    (after,) = await ana.say(QUESTION)
    assert MARK in after.text
