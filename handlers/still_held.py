"""Work prepared apart from its update (`Ctx.apart`: the indicator report, a workbook, built
in a worker process after the press) is delivered only if the person still holds, when it is
ready, the role and the coverage they pressed with: the press was checked, but the figures
are read after it, and an administrator may have taken the role away, or narrowed the grant,
meanwhile. So are a staff update's own replies that flood control held (`Ctx.needs`, set by
handlers/dispatch.py): minutes may pass before Telegram allows them. Held replies carry that
need (`Reply.needs`), and the outbox asks again when it sends each (`withhold`). Otherwise a
notice takes the replies' place (the progress message, if any, edited to it) and the refusal
is audited."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from bot import calls, held_send, refused
from bot.i18n import Translator, translator
from bot.reply_data import Reply, payload_of
from bot.runtime import Runtime
from bot.services import coverage
from bot.services.roles import Role, allows
from storage.repositories import audit, outbox
from storage.repositories.outbox import HELD, OwedMessage

log = logging.getLogger(__name__)

ACTION = "withheld"  # the audit entry of a result not delivered
Prepare = Callable[[], Awaitable[list[held_send.Part]]]


def guarded(
    prepare: Prepare,
    *,
    bot: Bot,
    runtime: Runtime,
    chat_id: int,
    telegram_id: int,
    role: Role,
    covered: coverage.Coverage,
    t: Translator,
    progress: int | None,
    work: str,
) -> Prepare:
    """`prepare`, its replies kept only while `telegram_id` holds at least `role` and
    `covered` (what they held at the press) once they are ready; each marked with that need
    (`work`: the work's name), for the outbox if they are held."""
    needs = needed(telegram_id, role, covered, work)

    async def prepared() -> list[held_send.Part]:
        parts = await prepare()
        async with runtime.db.session() as session:
            if await _lapsed(session, runtime, needs) is None:
                return [(send, replace(reply, needs=needs)) for send, reply in parts]
        text = _notice(t)
        if progress is None:
            send = partial(calls.send, bot, chat_id)
        else:
            send = partial(calls.edit, bot, chat_id, progress)
        what = "a withheld result"
        return [(partial(refused.send, send, text, None, what), Reply(text, edit=progress))]

    return prepared


def needed(
    telegram_id: int,
    role: Role,
    covered: coverage.Coverage,
    work: str,
    *,
    prepared: bool = True,
) -> dict[str, Any]:
    """What replies need when sent (`Reply.needs`): `telegram_id` holding at least `role`
    and `covered`; `work` names them, for one notice in their place (`withhold`), which
    says why they waited: prepared apart, or only held by flood control (not `prepared`)."""
    needs: dict[str, Any] = {
        "telegram_id": telegram_id,
        "role": role.value,
        "coverage": coverage.store(covered.regions),
        "work": work,
    }
    if not prepared:
        needs["prepared"] = False
    return needs


async def withhold(
    session: AsyncSession, runtime: Runtime, owed: OwedMessage, now: datetime
) -> bool:
    """The outbox's question for a held reply: one that `needs` what its person no longer
    holds is not sent; the first such of a work leaves the notice in its place."""
    needs = owed.payload.get("needs")
    if not needs or await _lapsed(session, runtime, needs, quiet=True) is None:
        return False
    if owed.telegram_id is None:
        return True
    t = translator(owed.locale, runtime.settings.timezone)
    notice = Reply(_notice(t, prepared=needs.get("prepared", True)))
    first = await outbox.enqueue(
        session,
        kind=HELD,
        dedupe_key=f"{HELD}:{needs['work']}:withheld",
        person_id=None,
        chat_id=owed.telegram_id,
        payload=payload_of(notice),
        due_at=now,
    )
    if first:
        await _lapsed(session, runtime, needs)  # audited and logged, once
    return True


async def _lapsed(
    session: AsyncSession, runtime: Runtime, needs: dict[str, Any], *, quiet: bool = False
) -> str | None:
    """None while the person holds what `needs`; else what they hold now, audited and logged
    unless `quiet`."""
    telegram_id = int(needs["telegram_id"])
    role, covered = await coverage.held_now(session, telegram_id, runtime.settings.bot_admin_ids)
    pressed = coverage.Coverage(coverage.parse(needs["coverage"]))
    if allows(role, Role(needs["role"])) and coverage.within(pressed, covered):
        return None
    detail = f"role={role.value}"
    if covered.regions:
        detail += f" coverage={coverage.store(covered.regions)}"
    if not quiet:
        await audit.append(
            session,
            actor_telegram_id=telegram_id,
            action=ACTION,
            outcome="denied",
            detail=detail,
            at=runtime.clock.now(),
        )
        log.warning("prepared replies not delivered: the role changed meanwhile (%s)", detail)
    return detail


def _notice(t: Translator, *, prepared: bool = True) -> str:
    if not prepared:  # an update's replies, held by flood control
        return "⚠️ " + t.gettext(
            "What you asked for was not delivered: while Telegram made Minka wait to send "
            "it, your role or the regions you coordinate changed, and it is no longer yours "
            "to receive."
        )
    return "⚠️ " + t.gettext(
        "What you asked for was not delivered: while Minka prepared it, your role or the "
        "regions you coordinate changed, and it is no longer yours to receive."
    )
