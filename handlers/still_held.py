"""Work prepared apart from its update (`Ctx.apart`: the indicator report, a workbook, built
in a worker process after the press) is delivered only if the person still holds, when it is
ready, the role and the coverage they pressed with: the press was checked, but the figures
are read after it, and an administrator may have taken the role away, or narrowed the grant,
meanwhile. Otherwise a notice takes the replies' place (the progress message, if any, edited
to it) and the refusal is audited."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import Bot

from bot import calls, held_send, refused
from bot.i18n import Translator
from bot.reply_data import Reply
from bot.runtime import Runtime
from bot.services import coverage
from bot.services.roles import Role, allows
from storage.repositories import audit

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
) -> Prepare:
    """`prepare`, its replies kept only while `telegram_id` holds at least `role` and
    `covered` (what they held at the press) once they are ready."""

    async def prepared() -> list[held_send.Part]:
        parts = await prepare()
        async with runtime.db.session() as session:
            now_role, now_covered = await coverage.held_now(
                session, telegram_id, runtime.settings.bot_admin_ids
            )
            if allows(now_role, role) and coverage.within(covered, now_covered):
                return parts
            detail = f"role={now_role.value}"
            if now_covered.regions:
                detail += f" coverage={coverage.store(now_covered.regions)}"
            await audit.append(
                session,
                actor_telegram_id=telegram_id,
                action=ACTION,
                outcome="denied",
                detail=detail,
                at=runtime.clock.now(),
            )
        log.warning("prepared replies not delivered: the role changed meanwhile (%s)", detail)
        text = "⚠️ " + t.gettext(
            "What you asked for was not delivered: while Minka prepared it, your role or the "
            "regions you coordinate changed, and it is no longer yours to receive."
        )
        if progress is None:
            send = partial(calls.send, bot, chat_id)
        else:
            send = partial(calls.edit, bot, chat_id, progress)
        return [
            (
                partial(refused.send, send, text, None, "a withheld result"),
                Reply(text, edit=progress),
            )
        ]

    return prepared
