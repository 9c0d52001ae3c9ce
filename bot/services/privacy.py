"""Ley 29733: erasure of a person's data, and the pseudonym that replaces their id.

What erasure keeps, and why: the `people` row stays with only region, institution and sex
(and when they registered), so that the programme's counts by region and sex for past
periods do not change; everything that names the person or that they wrote goes
(`storage.repositories.erasure` lists it table by table). /privacidad says the same.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import audit, people
from storage.repositories.erasure import erase_traces, named_before_consent


def pseudonym(key: bytes, telegram_id: int) -> str:
    """A keyed hash (HMAC-SHA256, 64 bits shown) of a Telegram id: the same person always
    gets the same pseudonym, so audit counts by person hold; without the key (never in the
    database) it cannot be turned back into the id by trying every id."""
    digest = hmac.new(key, str(telegram_id).encode(), hashlib.sha256).hexdigest()
    return f"seud-{digest[:16]}"


async def holds_anything(session: AsyncSession, telegram_id: int) -> bool:
    """Whether /mis_datos and /borrar_mis_datos have something to show or erase."""
    return await people.get(session, telegram_id) is not None or await named_before_consent(
        session, telegram_id
    )


async def erase(session: AsyncSession, telegram_id: int, *, key: bytes, now: datetime) -> bool:
    """Delete the person's identifying data and texts, keeping anonymous counts; for someone
    who never accepted the notice, a role waiting for them and audit entries naming them.
    False if Minka held nothing about them."""
    person = await people.get(session, telegram_id)
    if person is None and not await named_before_consent(session, telegram_id):
        return False
    alias = pseudonym(key, telegram_id)
    await erase_traces(
        session,
        person_id=person.id if person else None,
        telegram_id=telegram_id,
        username=person.username if person else None,
        pseudonym=alias,
        now=now,
    )
    if person is not None:
        await people.erase(session, telegram_id, now)
    await audit.append(
        session,
        actor_telegram_id=None,
        actor_pseudonym=alias,
        action="erase_personal_data",
        outcome="done",
        at=now,
    )
    return True
