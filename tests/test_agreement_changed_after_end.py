"""A quarter that moves after it ends: indicator 2 read an agreement due in the quarter by its
terms now, so one reopened, given another due date or another responsible after the
quarter's end moved the quarter's figures (cc17707 fixed only a fulfilment after the end).

The meeting of tests/two_readings (5 March: three of Puno's men, two women and two men of
Cusco and of Tacna); an agreement each, due 20 March, of one of Puno's men and of three
people of Cusco and three of Tacna, all fulfilled on 18 March but Puno's (pending, or
fulfilled too when it is reopened). Q1 read on 1 April, the national report and the
regions'; on 10 April the coordinator, through `bot.services.agreements`, reopens Puno's
agreement, or gives it 30 April as its due date, or a man of Cusco as its responsible, or
(his agreement then of a meeting of 15 April that invites him) cancels that meeting, not
started yet; read again on 11 April. On main 1b96472 every case moved Q1 (this test failed),
and the new due date gave Puno's man away: Puno's own report hid what became of his
agreement (one responsible), but Puno's agreements due fell from 1 to 0, every other
region's by 0, and the national «Not fulfilled» from 1 to 0 with nothing else moving
(`gave_away`): his agreement was not fulfilled. The meeting cancelled gave him away the same
way. Fixed: the ended quarter reads each agreement as it stood at its end
(`meeting_agreement_changes`, migration 0034, `indicators.agreements`, 6f52ba1), and counts
it while its meeting was not cancelled by then, as `indicators.meetings.held` does (the
«cancelled» case, added after 6f52ba1, failed there).

What the coordinator sees (end to end, the last test): the change is made, nothing is lost
and the agreement is followed up as before, and she is told that the ended quarter's reports
keep counting it as it stood at the quarter's end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements as rules
from bot.services import meetings
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from bot.services.indicators.regularity import meeting_regularity
from storage.db import Database
from storage.models import MeetingAgreement, Person
from storage.repositories import agreements as repo
from storage.repositories import meetings as meeting_repo
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import puno_coordination, register
from tests.two_readings import CHANGED, FIRST, LIMA, Q1, SECOND, T, first_meeting, meeting

MARCH, APRIL = datetime(2026, 3, 5, 10, tzinfo=LIMA), datetime(2026, 4, 15, 10, tzinfo=LIMA)
DUE, DONE = date(2026, 3, 20), datetime(2026, 3, 18, 10, tzinfo=LIMA)
SCOPES = (None, "puno", "cusco", "tacna")


async def _read(db: Database, region: str | None, now: datetime, period: Period = Q1) -> Indicator:
    async with db.session() as session:
        return await meeting_regularity(await query_for(session, period, region, T, now))


async def _agreements(db: Database, case: str) -> dict[str, list[Person]]:
    """The dataset (module docstring): the people by region; Puno's agreement is the first
    (when `case` is "cancelled", of a meeting of 15 April instead, which invites him)."""
    people = await first_meeting(db, MARCH)
    puno, cusco, tacna = people["puno"], people["cusco"], people["tacna"]
    theirs = [puno[1], cusco[0], cusco[1], cusco[4], tacna[0], tacna[1], tacna[4]]
    his = await meeting(db, "M2", APRIL, [puno[1]]) if case == "cancelled" else 1
    async with db.session() as session:
        session.add_all(
            MeetingAgreement(
                meeting_id=his if p is puno[1] else 1, text="Acuerdo", responsible_id=p.id,
                due_on=DUE, status="done" if done else "pending", done_at=DONE if done else None,
            )
            for p in theirs
            for done in [p is not puno[1] or case == "reopened"]
        )  # fmt: skip
        await session.commit()
    return people


def _totals(indicator: Indicator) -> tuple[object, ...]:
    """The agreements table's total: due, on time, late, not fulfilled (None: hidden)."""
    return indicator.tables[-1].rows[-1][1:5]


def gave_away(before: Sequence[Indicator], after: Sequence[Indicator], region: int) -> bool:
    """Whether two readings (national first, then every region's) tell what became of
    agreements that region `region`'s report hid: its agreements due fell by some, every
    other region's by 0, and the national total by as many in one column alone (on time,
    late or not fulfilled). A figure hidden on either date tells nothing."""
    return told_apart([_totals(r) for r in before], [_totals(r) for r in after], region)


def told_apart(
    old: Sequence[tuple[object, ...]], new: Sequence[tuple[object, ...]], region: int
) -> bool:
    """`gave_away` on the tables' totals (due, on time, late, not fulfilled; None: hidden)."""
    if old[region][1] is not None or any(v is None for t in (old[0], new[0]) for v in t):
        return False
    fell = int(old[region][0]) - int(new[region][0])  # type: ignore[call-overload]
    others = [i for i in range(1, len(old)) if i != region]
    if fell <= 0 or any(old[i][0] != new[i][0] for i in others):
        return False
    parts = [int(a) - int(b) for a, b in zip(old[0][1:], new[0][1:], strict=True)]  # type: ignore[call-overload]
    return int(old[0][0]) - int(new[0][0]) == fell and sorted(parts) == [0, 0, fell]  # type: ignore[call-overload]


async def _change(db: Database, case: str, cusco_man: Person) -> None:
    """On 10 April, the coordinator's act on Puno's agreement."""
    async with db.session() as session:
        agreement = await repo.get(session, 1)
        assert agreement is not None
        if case == "reopened":
            await rules.change_status(session, agreement, "in_progress", CHANGED)
        elif case == "cancelled":  # its meeting, not started yet
            his = await meeting_repo.get(session, agreement.meeting_id)
            assert his is not None
            await meetings.cancel(session, his, CHANGED)
        else:
            who = cusco_man.id if case == "reassigned" else agreement.responsible_id
            due = date(2026, 4, 30) if case == "redated" else agreement.due_on
            await rules.edit(
                session, agreement, responsible_id=who, due_on=due, now=CHANGED, zone=LIMA
            )
        await session.commit()


@pytest.mark.parametrize(
    ("case", "database_url"),
    [("reopened", "sqlite"), ("redated", "sqlite"), ("redated", "postgresql"),
     ("reassigned", "sqlite"), ("cancelled", "sqlite")],
    indirect=["database_url"],
)  # fmt: skip
async def test_an_agreement_changed_after_its_quarter_moves_no_figure(
    db: Database, case: str
) -> None:
    people = await _agreements(db, case)
    before = [await _read(db, scope, FIRST) for scope in SCOPES]
    await _change(db, case, people["cusco"][5])
    after = [await _read(db, scope, SECOND) for scope in SCOPES]
    assert not gave_away(before, after, SCOPES.index("puno"))
    for old, new in zip(before, after, strict=True):
        assert [t.rows for t in new.tables] == [t.rows for t in old.tables]
        assert [h.value for h in new.headlines] == [h.value for h in old.headlines]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's reading above
async def test_the_coordinator_changes_an_agreement_of_an_ended_quarter(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Ana's agreement, due in ten days; once its quarter has ended Rosa, from /reunion,
    marks it under way and gives it a new due date: both are kept, she is told the ended
    quarter keeps it as it stood, and its report reads the same before and after."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    meeting = await puno_coordination(runtime, days=0.05, reminders=False)
    assert await tick(app) == 1
    await ana.replies(2)
    today = runtime.clock.now().astimezone(LIMA).date()
    due = today + timedelta(days=10)
    async with runtime.db.session() as session:
        ana_id = await session.scalar(select(Person.id).where(Person.telegram_id == ana.id))
        assert ana_id is not None
        await rules.record(
            session, meeting, text="Enviar el padrón", responsible_id=ana_id, due_on=due,
            created_by=None, now=runtime.clock.now(), zone=LIMA,
        )  # fmt: skip
    quarter = Period.quarter(due.year, (due.month - 1) // 3 + 1)
    after_it = datetime.combine(quarter.last + timedelta(days=2), time(10), tzinfo=LIMA)
    runtime.clock.advance(after_it - runtime.clock.now())
    before = await _read(runtime.db, None, runtime.clock.now(), quarter)

    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    answer = await rosa.press(listing, "1 · ⏳")
    assert answer["text"] == (
        "Acuerdo: En curso. Su trimestre ya terminó: sus informes lo siguen contando como "
        "estaba al cierre."
    )
    await rosa.press(listing, "1 · ✏️")  # the list unchanged: «Vencido» still
    _heading, who = await rosa.replies(2)
    await rosa.choose(who, "Omitir")
    await rosa.reply()
    new_due = after_it.date() + timedelta(days=5)
    (summary,) = await rosa.say(new_due.strftime("%d/%m/%Y"))
    await rosa.press(summary, "Guardar los cambios")
    done, listing = await rosa.replies(2)
    assert done.text == (
        "✅ Acuerdo modificado; se le recordará a su responsable antes de la fecha límite.\n"
        f"El trimestre de su fecha límite ({quarter.label(T)}) ya terminó: sus informes "
        "siguen contando el acuerdo como estaba al cierre del trimestre."
    )
    assert f"vence el {T.date(new_due)}" in listing.text
    async with runtime.db.session() as session:
        row = await session.scalar(select(MeetingAgreement))
    assert row is not None and (row.status, row.due_on) == ("in_progress", new_due)
    after = await _read(runtime.db, None, runtime.clock.now(), quarter)
    assert [t.rows for t in after.tables] == [t.rows for t in before.tables]
    assert before.tables[-1].rows[-1][1] == 1  # the agreement is still due in its quarter
