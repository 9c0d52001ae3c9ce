"""The start's cache (knowledge/cache.py): a Tool Kit read from it in another process answers
as one built there; an edited file, a damaged or foreign cache file, a folder that cannot be
written, the code's own files and the files kept; the compiled gettext catalogs (bot/i18n.py)."""

from __future__ import annotations

import gettext
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import i18n
from knowledge import cache
from knowledge.base import KnowledgeBase
from knowledge.loader import CONTENT_DIR

# Run in its own process: the kit from the cache beside one built there, on every 40th past
# question and a few asked in other ways (typos, a negation, English, a greeting, a glossary
# term), each compared whole: ranking, scores, evidence, answer, glossary entry, asides.
COMPARE = r"""
import json, sys
from pathlib import Path
from bot import i18n
from knowledge import cache
from knowledge.base import KnowledgeBase

content = Path(sys.argv[1])
path = Path(sys.argv[2])
written = path.stat().st_ino
cached = KnowledgeBase.load(content)
assert path.stat().st_ino == written  # read, not built and written again
built = KnowledgeBase.build(content)
asked = [e.question for e in built.kit.examples][::40] + [
    "como me formaliso si soy minero artesanal", "¿qué funciones no le transfirió el MEM?",
    "hello, what is the REINFO?", "Hola buenos días", "regalías", "IGAFOM",
    "¿Cuánto es el derecho de vigencia por hectárea?", "quien aprueba el plan de cierre",
]
def seen(kb, text):
    index = kb.index
    return repr((index.judged(text), index.search(text), index.glossary_entry(text),
                 sorted(index.asides_of(text)), index.small_talk(text)))
differ = [text for text in asked if seen(cached, text) != seen(built, text)]
print(json.dumps({"asked": len(asked), "differ": differ}))
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own (`$XDG_CACHE_HOME/minka`)."""
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "minka"


def _file(content: Path) -> Path:
    assert cache.folder() is not None
    return cache.folder() / f"toolkit-{cache.digest(content)}.pickle"


def _python(code: str, *args: str, seed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_a_kit_from_the_cache_answers_as_one_built_in_another_process(cache_home: Path) -> None:
    # Another hash salt in each process: anything kept that hashed with the writer's would
    # answer differently in the reader.
    write = "from knowledge.base import KnowledgeBase; KnowledgeBase.load()"
    assert _python(write, seed="1").returncode == 0
    path = _file(CONTENT_DIR)
    assert path.exists()
    compared = _python(COMPARE, str(CONTENT_DIR), str(path), seed="2")
    assert compared.returncode == 0, compared.stderr
    found = json.loads(compared.stdout)
    assert found["asked"] > 150
    assert found["differ"] == []


def _copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    return content


def test_an_edited_article_is_read_again(cache_home: Path, tmp_path: Path) -> None:
    content = _copy(tmp_path)
    before = KnowledgeBase.load(content)
    article = content / "articles" / "formalizacion-reinfo.md"
    text = article.read_text(encoding="utf-8")
    title = before.kit.articles["formalizacion-reinfo"].title
    article.write_text(text.replace(title, title + " (editado)", 1), encoding="utf-8")
    after = KnowledgeBase.load(content)
    assert after.kit.articles["formalizacion-reinfo"].title == title + " (editado)"
    assert len(list(cache_home.glob("toolkit-*.pickle"))) == 2


def test_a_damaged_cache_file_is_built_again_and_rewritten(
    cache_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = _copy(tmp_path)
    KnowledgeBase.load(content)
    path = _file(content)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data[: len(data) - 100]))
    with caplog.at_level(logging.WARNING, logger="knowledge.cache"):
        kb = KnowledgeBase.load(content)
    assert "damaged" in caplog.text
    assert "formalizacion-reinfo" in kb.kit.articles
    assert cache.read(path) is not None  # rewritten whole


def test_a_cache_file_others_may_write_is_not_read(
    cache_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = _copy(tmp_path)
    KnowledgeBase.load(content)
    path = _file(content)
    path.chmod(0o666)
    with caplog.at_level(logging.WARNING, logger="knowledge.cache"):
        KnowledgeBase.load(content)
    assert "another user may write it" in caplog.text
    assert path.stat().st_mode & 0o777 == 0o600  # replaced by a file of its own


def test_a_cache_folder_that_cannot_be_made_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # …/file/minka: never a folder
    assert "formalizacion-reinfo" in KnowledgeBase.load(_copy(tmp_path)).kit.articles


def test_systemd_cache_directory_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_DIRECTORY", "/var/cache/minka:/var/cache/other")
    monkeypatch.setenv("XDG_CACHE_HOME", "/elsewhere")
    assert cache.folder() == Path("/var/cache/minka")
    monkeypatch.delenv("CACHE_DIRECTORY")
    assert cache.folder() == Path("/elsewhere/minka")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/minka")
    assert cache.folder() == Path("/home/minka/.cache/minka")


def test_the_code_and_the_content_folder_are_in_the_name(tmp_path: Path) -> None:
    package = tmp_path / "knowledge"
    shutil.copytree(cache.PACKAGE, package, ignore=shutil.ignore_patterns("content"))
    first = cache.digest(CONTENT_DIR, package)
    assert cache.digest(CONTENT_DIR, package) == first
    search = package / "search.py"
    search.write_text(search.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert cache.digest(CONTENT_DIR, package) != first
    assert cache.digest(_copy(tmp_path), package) != cache.digest(CONTENT_DIR, package)


def test_only_the_most_recently_used_files_are_kept(tmp_path: Path) -> None:
    for n in range(cache.KEEP + 3):
        path = tmp_path / f"toolkit-{n:032x}.pickle"
        path.write_bytes(b"")
        os.utime(path, (1000 + n, 1000 + n))
    left, writing = tmp_path / ".new-left", tmp_path / ".new-writing"  # a killed writer's
    left.write_bytes(b"")
    writing.write_bytes(b"")
    os.utime(left, (1000, 1000))
    cache._prune(tmp_path)
    kept = sorted(p.name for p in tmp_path.glob("toolkit-*.pickle"))
    assert kept == [f"toolkit-{n:032x}.pickle" for n in range(3, cache.KEEP + 3)]
    assert not left.exists() and writing.exists()


def test_a_reload_reads_the_cache_but_writes_nothing(cache_home: Path, tmp_path: Path) -> None:
    # `kb recargar` on a running bot: pickling would hold the GIL, a stall of its loop.
    content = _copy(tmp_path)
    assert "formalizacion-reinfo" in KnowledgeBase.load(content, keep=False).kit.articles
    assert not cache_home.exists() or not list(cache_home.glob("toolkit-*.pickle"))


def test_a_catalog_is_compiled_once_and_a_damaged_one_again(cache_home: Path) -> None:
    source = (i18n.LOCALES_DIR / "es" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").read_bytes()
    compiled = i18n._compiled("es", source)
    (kept,) = cache_home.glob("catalog-es-*.mo")
    assert i18n._compiled("es", source) == compiled  # read back
    kept.write_bytes(kept.read_bytes()[:-10])
    assert i18n._compiled("es", source) == compiled  # compiled again
    assert cache.read(kept) == compiled  # and kept whole
    words = gettext.GNUTranslations(io.BytesIO(compiled))
    assert words.gettext("Cancel") == "Cancelar"
