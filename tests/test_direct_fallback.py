"""storage/direct.py reads SQLAlchemy's private attributes; a release that renames one, or
changes what it holds, must not break Minka: the probe run before a dialect's first statement
at the driver finds it, one warning is logged, and every statement runs through the session,
giving what it gave before. Here each private attribute is hidden from every caller outside
SQLAlchemy (SQLAlchemy itself still reads it, as a release that renamed it would), or made to
mean something else for them: a faithful model of such a release, on real databases; no
code of ours is replaced. On SQLite and on PostgreSQL (asyncpg, storage.pg_direct)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.type_api import TypeEngine
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.db import Database
from storage.models import ConversationState, Person, Question
from storage.repositories import people
from storage.types import utcnow
from tests.chat import Person as Chat
from tests.helpers import logged, register
from tests.test_direct import _READ, ANA

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

PRIVATE = [
    (SQLCompiler, "_bind_processors"),
    (SQLCompiler, "_result_columns"),
    (TypeEngine, "_cached_result_processor"),
    (Session, "_is_clean"),
]
WARNING = "statements no longer run at the driver"


def _ours() -> bool:
    """Whether the attribute is read by code outside SQLAlchemy (the caller's caller)."""
    return not sys._getframe(2).f_globals.get("__name__", "").startswith("sqlalchemy")


def _changed(
    monkeypatch: pytest.MonkeyPatch,
    owner: type,
    name: str,
    for_us: Callable[[Any, Any], Any] | None = None,
) -> None:
    """`owner.name` as SQLAlchemy reads it, but missing for any other caller (or, with
    `for_us`, what it gives them instead of the true value)."""
    original = owner.__dict__.get(name)

    def read(self: Any) -> Any:
        if name in self.__dict__:
            true = self.__dict__[name]
        elif original is None:
            raise AttributeError(name)
        else:
            true = original.__get__(self, type(self))
        if not _ours():
            return true
        if for_us is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return for_us(self, true)

    def write(self: Any, value: Any) -> None:
        self.__dict__[name] = value

    monkeypatch.setattr(owner, name, property(read, write))


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if WARNING in r.getMessage()]


@pytest.fixture
def executed(db: Database) -> Iterator[list[str]]:
    """The statements SQLAlchemy executes (those run at the driver do not pass here)."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    yield statements
    event.remove(db.engine.sync_engine, "before_cursor_execute", seen)


async def _stored(db: Database) -> None:
    async with db.session() as session:
        session.add(
            Person(telegram_id=ANA, role="official", locale="es", consent_at=utcnow(), active=True)
        )
        session.add(ConversationState(telegram_id=ANA, flow="case", step="title", data={"n": 1}))


async def test_unchanged_sqlalchemy_runs_the_statements_at_the_driver(
    db: Database, executed: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The control: the probe passes, the person+form read runs at the driver."""
    await _stored(db)
    executed.clear()
    async with db.session() as session:
        person, form = await people.get_with_form(session, ANA)
        again = await people.get_with_form(session, ANA)
    assert person is not None and form is not None and form.data == {"n": 1}
    assert again == (person, form)
    assert [s for s in executed if "conversation_states" in s] == []
    assert len([s for s in executed if "anon_1" in s]) == 1  # the probe, once
    assert _warnings(caplog) == []


@pytest.mark.parametrize(("owner", "name"), PRIVATE, ids=[name for _, name in PRIVATE])
async def test_a_missing_private_attribute_sends_statements_through_the_session(
    db: Database,
    executed: list[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    owner: type,
    name: str,
) -> None:
    await _stored(db)
    _changed(monkeypatch, owner, name)
    executed.clear()
    async with db.session() as session:
        person, form = await people.get_with_form(session, ANA)
        direct = (await _READ.run(session, {"telegram_id": ANA})).rows
        usual = [tuple(row) for row in await session.execute(_READ.statement, {"telegram_id": ANA})]
    assert person is not None and person.active is True and person.consent_at is not None
    assert form is not None and form.data == {"n": 1}
    assert direct == usual and type(direct[0][2]) is bool
    assert len([s for s in executed if "conversation_states" in s]) == 1  # through the session
    (warning,) = _warnings(caplog)
    assert name in warning or "_is_clean" in name


async def test_a_private_attribute_that_means_something_else_is_found_by_the_probe(
    db: Database,
    executed: list[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`_result_columns` there, but empty for us (a release that moved the columns elsewhere):
    the probe's rows come back unconverted (a datetime as text), unlike the session's."""
    if db.engine.dialect.name == "postgresql":
        pytest.skip("asyncpg converts these values itself: the columns' conversions add nothing")
    await _stored(db)
    _changed(monkeypatch, SQLCompiler, "_result_columns", lambda _self, _true: [])
    async with db.session() as session:
        ((_, at, active, _),) = (await _READ.run(session, {"telegram_id": ANA})).rows
    assert at.tzinfo is not None and active is True
    (warning,) = _warnings(caplog)
    assert "the probe gave" in warning
    executed.clear()
    async with db.session() as session:  # the verdict kept: no second probe, no second warning
        assert (await _READ.run(session, {"telegram_id": ANA})).rows[0][2] is True
    assert len(executed) == 1 and len(_warnings(caplog)) == 1


async def test_the_bot_answers_with_the_driver_path_disabled(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The update path end to end (the claim, the person and their form, the question and
    its answer's view) with `_bind_processors` gone for us: registered, answered, stored."""
    caplog.set_level(logging.WARNING)
    _changed(monkeypatch, SQLCompiler, "_bind_processors")
    executed: list[str] = []
    event.listen(
        runtime.db.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_a: executed.append(statement),
    )
    ana = Chat(api, 8301, "Ana")
    await register(ana)
    definition, _answer = await ana.say("¿Qué es el REINFO?", 2)
    assert "REINFO" in definition.text
    async with runtime.db.session() as session:
        assert list(await session.scalars(select(Question.text))) == ["¿Qué es el REINFO?"]
    if runtime.db.engine.dialect.name == "sqlite":  # PostgreSQL's goes with BEGIN (pg_begin)
        assert any(s.startswith("INSERT INTO processed_updates") for s in executed)
    assert any("INSERT INTO questions" in s for s in executed)
    assert "_bind_processors" in await logged(caplog, WARNING)
    assert len(_warnings(caplog)) == 1
