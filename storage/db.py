"""Engine and session factory: one `AsyncSession` (one transaction) per unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite


def create_engine(url: str) -> AsyncEngine:
    """Errors never carry the values of a statement (they are what people typed): SQLAlchemy
    leaves the parameters out (`hide_parameters`), and PostgreSQL's DETAIL, which may quote the
    row ("Failing row contains (…)", "Key (…)=(…) already exists"), is dropped."""
    engine = create_async_engine(
        url, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True
    )
    if engine.dialect.name == "sqlite":
        sqlite.configure(engine)
    else:
        event.listen(engine.sync_engine, "handle_error", _drop_details)
    return engine


def _drop_details(context: ExceptionContext) -> None:
    error: BaseException | None = context.original_exception
    while error is not None:
        if getattr(error, "detail", None):
            error.detail = None  # type: ignore[attr-defined]
        error = error.__cause__


class Database:
    """Owns the engine; `session()` opens a transaction that commits on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
