"""PostgreSQL: an update's BEGIN sent together with its first statements, in one round trip.

SQLAlchemy's asyncpg adapter sends BEGIN on its own before a transaction's first statement:
a round trip of its own on every update, and each one costs the bot a send to the server and
a wake-up (on the 2-core reference machine about as much CPU as SQLAlchemy's whole work for a
statement). PostgreSQL's simple query protocol takes several statements at once, without
parameters: `BEGIN; <first statements>` go as one request. The statements are built here from
values checked to be integers, a timestamp and keys of the form `handlers.update_keys` makes,
never from text a person typed; anything else is not sent this way (`SAFE_KEY`).

The adapter is then told the transaction has begun (its `_transaction`, which is what it
commits or rolls back), with `Begun` standing for asyncpg's transaction object. Errors are
raised as SQLAlchemy raises them (a DBAPIError naming the SQLSTATE, details dropped), so a
lock timeout is «busy» and a lost connection «database down» for `storage.errors`.

The end is folded too: a statement the update owes last (its replies, bot/owed_replies.py)
can go with the COMMIT, `INSERT …; COMMIT` as one request (`at_commit`), instead of a round
trip of its own: one less on every update that answers (5.23 per update in session 25).
asyncpg sends parameters only one statement per request, so such a statement is literal SQL,
built as BEGIN's are; any text in it only as `text_literal`, base64 the server decodes, so no
character of it can end the literal. If it fails, PostgreSQL skips the COMMIT behind it: the
transaction is rolled back here, and the error raised as a failed COMMIT's would be.
Pinned by tests/test_update_start.py.
"""

from __future__ import annotations

import base64
import contextlib
import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct import driver_of
from storage.pg_direct import PgDriver, as_sqlalchemy

SAFE_KEY = re.compile(r"[0-9]{1,20}:[0-9a-f]{1,40}")


class Begun:
    """What SQLAlchemy's adapter holds for an open transaction: commit or roll it back;
    `last`: statements sent with the COMMIT, in order (`at_commit`)."""

    __slots__ = ("_driver", "last")

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self.last: list[str] = []

    async def commit(self) -> None:
        if not self.last:
            await self._driver.execute("COMMIT")
            return
        try:
            await self._driver.execute("; ".join([*self.last, "COMMIT"]))
        except Exception:
            if self._driver.is_in_transaction() and not self._driver.is_closed():
                # A statement failed and the COMMIT behind it was skipped: end the aborted
                # transaction, or the connection would go back to the pool inside it. The
                # statement's error is the one raised; a lost connection is the pool's.
                with contextlib.suppress(Exception):
                    await self._driver.execute("ROLLBACK")
            raise

    async def rollback(self) -> None:
        if not self._driver.is_closed():
            await self._driver.execute("ROLLBACK")


async def begin_with(session: AsyncSession, statements: str) -> str | None:
    """Send `BEGIN; statements` as the session's first request and return the last
    statement's status («INSERT 0 1»); None if the session's connection already began (the
    caller then runs its statements the usual way). `statements` must hold no value a
    person chose."""
    known = await driver_of(session)  # kept for the update's statements (storage.direct)
    if not isinstance(known, PgDriver):
        return None
    adapted = known.adapted
    driver = adapted._connection
    if adapted._transaction is not None or driver.is_in_transaction():
        return None
    sql = f"BEGIN; {statements}"
    try:
        async with adapted._execute_mutex:
            status: str = await driver.execute(sql)
    except Exception as error:
        if driver.is_in_transaction():  # BEGIN went through: the session's rollback ends it
            adapted._transaction = Begun(driver)
        raise as_sqlalchemy(adapted, sql, error, driver.is_closed()) from error
    adapted._transaction = Begun(driver)
    return status


async def at_commit(session: AsyncSession, statement: str) -> bool:
    """Send `statement` with the transaction's COMMIT, in the same request; False (nothing
    done: the caller runs it the usual way) unless `begin_with` began the transaction.
    `statement` is literal SQL: integers checked, keys as `SAFE_KEY`, text by
    `text_literal`, never a person's text as it is."""
    if session.bind.dialect.name != "postgresql":
        return False
    known = await driver_of(session)
    if not isinstance(known, PgDriver):
        return False
    begun = known.adapted._transaction
    if not isinstance(begun, Begun):
        return False
    begun.last.append(statement)
    return True


def text_literal(text: str) -> str:
    """Any text as an SQL expression that no character of it can end: its UTF-8 in base64
    (letters, digits, «+», «/», «=»), decoded by the server. UnicodeEncodeError for a lone
    surrogate, which asyncpg refuses too."""
    encoded = base64.b64encode(text.encode()).decode("ascii")
    return f"convert_from(decode('{encoded}', 'base64'), 'UTF8')"
