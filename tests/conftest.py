"""Shared fixtures: real databases (a SQLite file, a PostgreSQL server started here), the local
Bot API server, Minka running against both, and people who talk to it."""

from __future__ import annotations

import functools
import itertools
import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runner import minka
from bot.runtime import Runtime
from knowledge.base import KnowledgeBase
from knowledge.loader import CONTENT_DIR
from storage.db import Database
from storage.migrate import upgrade
from tests import scheduling, templates
from tests.chat import Person
from tests.helpers import offset_to
from tests.postgres import PostgresServer, start_server

TOKEN = "123456789:AAEminkaTESTtokenABCDEFGHIJKLMNOPQRS"
ADMIN_ID = 900001
_database_numbers = itertools.count(1)


# `-n auto`: workers per core. A test spends most of its time waiting (for the bot's reply over
# HTTP, PostgreSQL, the outbox's turn, a timer): with one worker per core the 2-core CI box was
# 15-40 % idle (load 1.2-1.7) and the suite took 20-24 min. Each worker has its own PostgreSQL
# server, SQLite files and ports (tests/postgres.py, tmp_path), so nothing is shared.
WORKERS_PER_CORE = 2
WORKER_MEMORY = 750 * 2**20  # a worker, its PostgreSQL, report workers and CLI runs (~400 MB seen)


def _memory_available() -> int | None:
    """MemAvailable, capped by the cgroup's limit (a container), in bytes; None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(limit_file) as limit:
                available = min(available, int(limit.read().strip()))
        except (OSError, ValueError):  # absent, or "max"
            continue
    return available


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`pytest -n auto`: `WORKERS_PER_CORE` workers per usable core, fewer when memory is short.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, still decides (xdist's own hook reads it)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0))
    workers = WORKERS_PER_CORE * cores
    memory = _memory_available()
    if memory is not None:
        workers = min(workers, memory // WORKER_MEMORY)
    return max(1, workers)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `long` first, one at the head of each xdist worker's share
    (tests/scheduling.py): a long test started last no longer holds the run up at its end."""
    workerinput = getattr(config, "workerinput", None)  # set in an xdist worker
    workers = int(workerinput["workercount"]) if workerinput else 1
    items[:] = scheduling.long_first(items, workers)


@pytest.fixture(autouse=True)
def _logging_as_pytest_set_it() -> Iterator[None]:
    """The CLI, run in-process by some tests, installs Minka's own logging; put pytest's back
    so later tests' records are captured, not printed."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_server()
    if isinstance(server, str):
        print(f"\nPostgreSQL tests skipped: {server}")
        pytest.skip(server)
    try:
        yield server
    finally:
        server.stop()


async def _new_postgres_database(server: PostgresServer, *, migrated: bool = False) -> str:
    name = f"minka_test_{next(_database_numbers)}"
    await templates.create_postgres(server, name, migrated=migrated)
    return server.url(name)


# The fixtures that migrate the database anyway: their tests start from a migrated copy.
MIGRATING = frozenset({"db", "app"})


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database of each kind: a SQLite file, then a PostgreSQL database. Empty, unless
    the test also uses `db` or `app`: then a copy of one migrated once (tests/templates.py).

    The PostgreSQL database is dropped afterwards: kept, a worker's few hundred copies (13 MB
    each) filled its server's folder with gigabytes the disk had to write back, and removing
    that folder at the end of the session took each CI worker 150-280 s."""
    migrated = not MIGRATING.isdisjoint(request.fixturenames)
    if request.param == "sqlite":
        path = tmp_path / "minka.sqlite3"
        if migrated:
            folder = request.getfixturevalue("tmp_path_factory").getbasetemp()
            await templates.copy_sqlite(path, folder)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = await _new_postgres_database(server, migrated=migrated)
    yield url
    await templates.drop_postgres(server, url.rsplit("/", 1)[1])


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database, for service and storage tests (`upgrade` finds it at head)."""
    database = Database(database_url)
    await upgrade(database.engine)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(token=TOKEN, bot_username="minka_test_bot") as server:
        yield server


def chosen_offset(request: pytest.FixtureRequest) -> timedelta:
    """The test's `now` marker: how far its Minka's clock runs from the machine's, so that it
    reads that moment now (a test whose outcome depends on the calendar names its day, and
    passes on whatever day CI runs; a restart within the test goes on from there)."""
    marker = request.node.get_closest_marker("now")
    return offset_to(marker.args[0]) if marker else timedelta(0)


@pytest.fixture
def settings(api: LocalBotApi, database_url: str, request: pytest.FixtureRequest) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=database_url,
        bot_admin_ids=frozenset({ADMIN_ID}),
        outbox_interval_seconds=3600,  # tests run the scheduler themselves, at chosen times
        flood_limit=10_000,  # tests play people faster than any person; test_flood lowers it
        worker_nice=0,  # the other tests' processes are not this bot: no worker starves
        clock_offset_seconds=chosen_offset(request).total_seconds(),
        _env_file=None,
    )


@functools.cache
def _shipped_knowledge() -> KnowledgeBase:
    return KnowledgeBase.load(CONTENT_DIR)


def shipped_toolkit(settings: Settings) -> KnowledgeBase | None:
    """The shipped Tool Kit, loaded once per test process (read-only: a reload replaces it,
    never changes it); a test's own folder (KB_DIR) is loaded by Minka as always. Loading and
    indexing cost each test 0.45 CPU s (and each start of a restart test that passes it)."""
    return _shipped_knowledge() if settings.content_dir == CONTENT_DIR else None


@pytest.fixture
async def app(settings: Settings, api: LocalBotApi) -> AsyncIterator[Application]:
    """Minka running (long polling) against the local Bot API server.

    Afterwards, no request of Minka's may have broken a Bot API rule (a limit, a type, the
    HTML): real Telegram would have refused it too, whatever the test itself checked; nor
    sent formatting Telegram takes but shows plain (past 100 entities in a text, or nested
    as the Bot API forbids: a bold around a code); nor
    a parameter today's Bot API does not define (deprecated, misspelt); nor left a press
    unanswered, or answered it too late for Telegram."""
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        yield application
    broken = [f"{refusal.method}: {refusal.description}" for refusal in api.malformed_requests]
    assert not broken, f"Minka sent requests that Telegram refuses: {broken}"
    lost = api.lost_formatting
    assert not lost, f"Minka sent formatting Telegram drops (past 100, or nested): {lost}"
    ignored = api.ignored_parameters
    assert not ignored, f"Minka sent parameters the Bot API does not define: {ignored}"
    spinning = api.unanswered_presses
    assert not spinning, f"presses Minka never answered in time (the button spins): {spinning}"


@pytest.fixture
def bot(app: Application, settings: Settings) -> Settings:
    """The settings of the running Minka (most tests only need to know it runs)."""
    return settings


@pytest.fixture
def runtime(app: Application) -> Runtime:
    """The running Minka's clock, database and Tool Kit (tests move the clock forward)."""
    return app.bot_data["runtime"]


@pytest.fixture
def ana(api: LocalBotApi, bot: Settings) -> Person:
    return Person(api, 1001, "Ana", last_name="Quispe Mamani", username="anaq")


@pytest.fixture
def admin(api: LocalBotApi, bot: Settings) -> Person:
    return Person(api, ADMIN_ID, "Rosa", last_name="Huamán", username="rosa_admin")
