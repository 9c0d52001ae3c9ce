"""An agreement changed by someone else while a coordinator's edit form is open: her «Omitir»
keeps the due date the agreement has when she saves, not the one it had when she began.

The form kept the due date shown at its start and saved it with the new responsible, so a due
date another coordinator set in between was silently put back (and the reminder owed for the
old date). On main 41d8bc5 this test failed (the due date went back to the old one)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services import agreements
from storage.models import MeetingAgreement
from storage.repositories import agreements as repo
from tests.test_agreements import agreed


async def test_skipping_the_due_date_keeps_the_one_set_meanwhile(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, _invited, meeting = await agreed(api, app, runtime)
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    await rosa.press(await rosa.reply(), "1 · ✏️")
    _heading, who = await rosa.replies(2)
    async with runtime.db.session() as session:  # another coordinator moves the due date
        agreement = await repo.get(session, 1)
        assert agreement is not None
        meanwhile, ana_id = agreement.due_on + timedelta(days=20), agreement.responsible_id
        await agreements.edit(
            session, agreement, responsible_id=ana_id, due_on=meanwhile,
            now=runtime.clock.now(), zone=runtime.settings.timezone,
        )  # fmt: skip
        await session.commit()
    await rosa.choose(who, "Luis Mamani")
    await rosa.choose(await rosa.reply(), "Omitir")
    await rosa.press(await rosa.reply(), "Guardar los cambios")
    done, _listing = await rosa.replies(2)
    assert "Acuerdo modificado" in done.text
    async with runtime.db.session() as session:
        row = await session.scalar(select(MeetingAgreement))
    assert row is not None and row.due_on == meanwhile
    assert row.responsible_id != ana_id  # Luis, as she chose
