"""Small facts shared between the running bot and the CLI."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Delete, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AppState

_INSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
# One row per chat given an administrator's menu (BOT_ADMIN_IDS), its Telegram id after the
# prefix: handlers/command_menu.py. Every key that names a chat is one of `PER_CHAT`'s, so that
# erasure finds them (`of_chat`) and leaves no row that names the person.
ADMIN_MENU = "command menu admin:"
PER_CHAT = (ADMIN_MENU,)


def of_chat(telegram_id: int) -> Delete:
    """Deletes the rows about the chat `telegram_id` (erasure)."""
    return delete(AppState).where(AppState.key.in_([f"{p}{telegram_id}" for p in PER_CHAT]))


async def names_chat(session: AsyncSession, telegram_id: int) -> bool:
    """Whether a row is about the chat `telegram_id`."""
    keys = [f"{prefix}{telegram_id}" for prefix in PER_CHAT]
    return await session.scalar(select(AppState.key).where(AppState.key.in_(keys))) is not None


async def get(session: AsyncSession, key: str) -> str | None:
    row = await session.get(AppState, key)
    return row.value if row else None


async def put(session: AsyncSession, key: str, value: str) -> None:
    """An upsert, not read-then-insert: replicas starting together all record the bot's
    @username, and the second insert of a key would fail."""
    insert = _INSERT[session.bind.dialect.name](AppState).values(key=key, value=value)
    await session.execute(
        insert.on_conflict_do_update(index_elements=[AppState.key], set_={"value": value})
    )
    await session.get(AppState, key, populate_existing=True)  # a cached row sees the value


async def keys_with(session: AsyncSession, prefix: str) -> list[str]:
    """The keys that start with `prefix` (a fact kept one row per item)."""
    rows = await session.scalars(
        select(AppState.key).where(AppState.key.startswith(prefix, autoescape=True))
    )
    return list(rows)


async def drop(session: AsyncSession, key: str) -> None:
    await session.execute(delete(AppState).where(AppState.key == key))


async def put_once(session: AsyncSession, key: str, value: str) -> None:
    """Set `key` unless it is set: the first writer's value stays (a fact frozen once, such
    as a month's registered counts, which replicas may count at the same moment)."""
    insert = _INSERT[session.bind.dialect.name](AppState).values(key=key, value=value)
    await session.execute(insert.on_conflict_do_nothing(index_elements=[AppState.key]))


async def put_all_once(session: AsyncSession, items: Mapping[str, str]) -> None:
    """`put_once` for many keys in one statement, sent once with every row (executemany):
    two years of months' counts by region are 650 keys, and one INSERT each cost the event
    loop about 0.4 ms of CPU apiece on PostgreSQL, and a round trip (#17)."""
    if not items:
        return
    insert = _INSERT[session.bind.dialect.name](AppState)
    await session.execute(
        insert.on_conflict_do_nothing(index_elements=[AppState.key]),
        [{"key": key, "value": value} for key, value in items.items()],
    )


async def items_with(session: AsyncSession, prefix: str) -> list[tuple[str, str]]:
    """The keys that start with `prefix`, with their values."""
    rows = await session.execute(
        select(AppState.key, AppState.value).where(AppState.key.startswith(prefix, autoescape=True))
    )
    return [(key, value) for key, value in rows]
