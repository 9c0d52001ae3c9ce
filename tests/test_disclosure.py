"""Issue #13: reports that cannot be undone by subtraction, and exports that cannot attack the
reader. Three women from Puno rate a workshop 5 and one man from Cusco rates it 1: no report
may show a figure from which his rating follows (4×4 − 3×5 = 1). A survey comment, a workshop
title and a delegate's name written as spreadsheet formulas arrive as text in every export."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.indicators import build_report as build_indicators
from bot.services.indicators.charts import chart_images
from bot.services.indicators.periods import Period
from bot.services.indicators.render import write_csv
from bot.services.indicators.training import training
from bot.services.indicators.xlsx import report_xlsx as indicators_xlsx
from bot.services.meeting_report import build_report as build_meeting_report
from bot.services.meeting_xlsx import report_xlsx as meeting_xlsx
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.db import Database
from storage.models import Person, Workshop, WorkshopAttendance, WorkshopRating
from storage.repositories import meetings, people
from storage.repositories import workshops as repo
from tests.chat import WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.helpers import register, registered_last_month
from tests.test_spreadsheet_guard import FORMULA, assert_formula_is_text

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
READ = datetime(2027, 1, 5, tzinfo=LIMA)  # 2026's reports read once it ended


# --- /taller, end to end ---------------------------------------------------------------------


async def test_workshop_report_cannot_be_subtracted(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    from tests.conftest import ADMIN_ID

    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        workshop = await repo.create(
            session,
            code="SUB234",
            title="Cierre de minas",
            starts_at=now + timedelta(minutes=30),
            ends_at=now + timedelta(hours=2),
            survey_closes_at=now + timedelta(hours=2) + SURVEY_OPEN_FOR,
            region_code="puno",
        )
    raters = [
        (Chatter(api, 6201, "Ana"), "Puno", "Mujer", "5"),
        (Chatter(api, 6202, "Bea"), "Puno", "Mujer", "5"),
        (Chatter(api, 6203, "Clara"), "Puno", "Mujer", "5"),
        (Chatter(api, 6204, "Diego"), "Cusco", "Hombre", "1"),
    ]
    runtime.clock.advance(timedelta(minutes=30))
    for person, region, sex, _score in raters:
        await register(person, region=region, sex=sex)
        await person.say(f"/asistencia {workshop.code}")
    runtime.clock.advance(timedelta(hours=3))
    assert await tick(app) == 4
    for number, (person, _region, _sex, score) in enumerate(raters):
        survey = await person.reply()
        for _question in range(5):
            await person.press(survey, score)
            survey = await person.reply()
        if number == 0:
            await person.send(FORMULA)
        else:
            await person.press(survey, "Omitir")
        await person.reply()

    runtime.clock.advance(SURVEY_OPEN_FOR)  # the answers are shown once it closes
    (report,) = await rosa.say(f"/taller {workshop.code}")
    text = report.text
    assert "Asistentes: 4 · Respuestas: 4" in text
    scores = [int(score) for *_who, score in raters]
    overall = T.number(sum(scores) / len(scores), 1)
    assert f"Calificación general: {overall} (—)" in text  # the total stays; 1·0·0·0·3 does not
    assert "0·0·0" not in text
    for group in ("Puno", "Cusco"):
        assert f"{group}: — (" in text, group
    assert "Hombre" not in text and "Mujer" not in text  # no breakdown by sex
    assert all(f": {T.number(score, 1)} (" not in text for score in scores)  # no group average

    await rosa.press(report, "Descargar XLSX")
    document = await rosa.reply(WORKBOOK_WAIT)
    workbook = api.files[document.params["file_id"]]
    assert_formula_is_text(workbook)
    book = load_workbook(BytesIO(workbook))
    assert book["Comentarios"]["B2"].value == FORMULA
    assert book["Comentarios"]["B2"].data_type == "s"
    criteria = next(iter(book["Criterios"].iter_rows(min_row=2, max_row=2, values_only=True)))
    assert criteria == (T.gettext("Overall rating"), 4.0, 4, "—", "—", "—", "—", "—")
    rows = list(book["Por región"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in rows] == ["—"] * len(rows)
    assert "Por sexo" not in book.sheetnames


# --- Indicator 3, the workbook and the CSV folder ------------------------------------------


async def _ratings(db: Database) -> None:
    """The same four raters, in a workshop of 2026 whose title is a formula."""
    starts = datetime(2026, 3, 10, 9, tzinfo=LIMA)
    async with db.session() as session:
        session.add(
            Workshop(
                id=1, code="SUB234", title=FORMULA, region_code="puno", starts_at=starts,
                ends_at=starts + timedelta(hours=3), survey_closes_at=starts + timedelta(days=3),
            )
        )  # fmt: skip
        for number, (sex, region, score) in enumerate(
            [("female", "puno", 5)] * 3 + [("male", "cusco", 1)], start=1
        ):
            session.add(
                Person(
                    id=number, telegram_id=7000 + number, full_name=f"P{number}", sex=sex,
                    region_code=region, consent_at=starts - timedelta(days=9),
                    registered_at=starts - timedelta(days=9),
                )
            )  # fmt: skip
            await session.flush()
            session.add(WorkshopAttendance(workshop_id=1, person_id=number, checked_in_at=starts))
            session.add(
                WorkshopRating(
                    workshop_id=1, person_id=number, overall=score, content=score,
                    facilitation=score, usefulness=score, organization=score,
                    completed_at=starts + timedelta(hours=4),
                )
            )  # fmt: skip


async def test_indicator_3_cannot_be_subtracted(db: Database, tmp_path: Path) -> None:
    await _ratings(db)
    async with db.session() as session:
        # Read once the year has ended: in progress, its attendees, raters and response rate
        # (people counted once over it) are «—» (`training_year.year_running`).
        report = await build_indicators(session, Period.year(2026), None, T, READ)
    indicator = next(i for i in report.indicators if i.number == 3)
    criteria, distribution, by_region, by_sex, workshops = indicator.tables
    assert indicator.headlines[-1].value == 4.0  # the total, over 4 people
    assert [row[1] for row in criteria.rows] == [4.0] * 5
    assert [row[1:] for row in distribution.rows] == [(None, None)] * 5  # 1·0·0·0·3: hidden
    # Attendees, raters, response rate, responses, the five averages.
    averages = (None,) * 5
    assert list(by_region.rows) == [
        ("Cusco", 1, 1, None, 1, *averages),
        ("Puno", 3, 3, None, 3, *averages),
        ("Total", 4, 4, 1.0, 4, 4.0, 4.0, 4.0, 4.0, 4.0),
    ]
    # Women, men, «Prefiero no decir» and «Sin dato», all hidden with the one man («Sin
    # dato» too: left out, it would tell its 0), then the total.
    assert [row[5:] for row in by_sex.rows] == [averages] * 4 + [(4.0,) * 5]
    assert [row[4:] for row in workshops.rows] == [(4, 4, 1.0, 4.0, 4.0, 4.0, 4.0, 4.0)]

    charts = [image.caption for image in chart_images(report, T)]
    assert "3. Calificación general: respuestas por puntaje" not in charts  # all hidden

    workbook = indicators_xlsx(report, T)
    assert_formula_is_text(workbook)
    written = write_csv(report, T, tmp_path / "csv")
    cells = []
    for path in written:
        with path.open(encoding="utf-8-sig") as handle:
            cells += [value for row in csv.reader(handle) for value in row]
    assert f"'{FORMULA}" in cells
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in cells)
    for value in cells:  # no "5" and "1" figures next to each other survive in region rows
        assert value not in {"5.0", "1.0"}


async def test_indicator_3_in_one_region_alone(db: Database) -> None:
    """Puno's own report would show 5,0 over its three raters; beside the workshop's /taller
    average (4,0 over four) that gives the Cusco man's 1. Puno's average is hidden, and its
    part of the workshop (its response rate too); Cusco's report shows nothing either."""
    await _ratings(db)
    async with db.session() as session:
        from bot.services.indicators import query_for

        puno = await training(await query_for(session, Period.year(2026), "puno", T, READ))
        cusco = await training(await query_for(session, Period.year(2026), "cusco", T, READ))
    assert puno.headlines[-1].value is None
    assert [row[1] for row in puno.tables[0].rows] == [None] * 5  # criteria
    assert [row[5:] for row in puno.tables[2].rows] == [(None,) * 5] * 2  # Puno, total
    # SUB234: Puno's part, its response rate hidden too: the national row's 4 of 4 less
    # Puno's 3 of 3 is whether the Cusco man answered.
    assert puno.tables[4].rows[0][4:] == (3, 3, *(None,) * 6)
    assert cusco.headlines[-1].value is None
    assert [row[5:] for row in cusco.tables[2].rows] == [(None,) * 5] * 2


# --- /reunion ------------------------------------------------------------------------------


async def test_meeting_report_hides_sex(db: Database) -> None:
    """Three women and one man from Puno; only he declines. Counts by sex would name him (the
    invitee list shows who declined): the report has none, and the list shows no sex."""
    starts = datetime(2026, 11, 26, 9, tzinfo=LIMA)
    async with db.session() as session:
        ids = []
        for telegram_id, sex in ((1, "female"), (2, "female"), (3, "female"), (4, "male")):
            person = await people.create(
                session, telegram_id=telegram_id, username=None,
                telegram_name=f"Persona {telegram_id}", locale="es",
                consent_at=starts - timedelta(days=9), role="official",
            )  # fmt: skip
            await people.update(
                session, telegram_id, full_name=f"Persona {telegram_id}", region_code="puno",
                sex=sex, registered_at=starts - timedelta(days=9),
            )  # fmt: skip
            ids.append(person.id)
        meeting = await meetings.create(
            session, offsets=[], code="REU777", title="Coordinación", kind="coordinacion",
            starts_at=starts, ends_at=starts + timedelta(hours=2), place=None, link=None,
            agenda=None, audience={},
        )  # fmt: skip
        await meetings.invite(session, meeting.id, ids)
        for person_id in ids[:3]:
            await meetings.answer(session, meeting.id, person_id, "yes", starts)
        await meetings.answer(
            session, meeting.id, ids[3], "delegate", starts, delegate_name=FORMULA,
            delegate_position=None,
        )  # fmt: skip
        report = await build_meeting_report(session, meeting.id)
    assert report is not None
    assert report.totals.invited == 4
    assert not hasattr(report.invitees[0], "sex")
    workbook = meeting_xlsx(report, T)
    assert_formula_is_text(workbook)
    book = load_workbook(BytesIO(workbook))
    assert T.gettext("Sex") not in [cell.value for cell in book["Invitados"][1]]
    assert "Por sexo" not in book.sheetnames
    delegate = book["Invitados"]["D5"]
    assert (delegate.value, delegate.data_type) == (FORMULA, "s")


def test_charts_mark_hidden_values() -> None:
    """A hidden value is not a zero: the bar is left out and «—» written in its place."""
    from bot.services.indicators.charts import chart_figure, draw
    from bot.services.indicators.common import Chart, Column, Indicator, Kind, Table

    table = Table(
        "Tasa por región",
        (Column("Región", Kind.TEXT), Column("Tasa", Kind.SHARE)),
        (("Puno", 0.5), ("Cusco", None), ("Total", 0.4)),
        total_row=True,
    )
    indicator = Indicator(1, "Prueba", "", (), (table,))
    t = translator("es", ZoneInfo("America/Lima"))
    png = draw(indicator, Chart("Tasa", 0, (1,)), "2026", t)
    assert png is not None and png.startswith(b"\x89PNG")
    figure = chart_figure(indicator, Chart("Tasa", 0, (1,)), "2026", t)
    assert figure is not None
    marks = [text for axes in figure.axes for text in axes.texts if text.get_text() == "—"]
    assert len(marks) == 1 and marks[0].xy == (1.0, 0)  # on the second bar, Cusco's
    hidden_only = Table(table.title, table.columns, (("Cusco", None), ("Total", 0.4)), True)
    assert (
        draw(Indicator(1, "Prueba", "", (), (hidden_only,)), Chart("Tasa", 0, (1,)), "", t) is None
    )


async def test_indicator_3_cannot_be_subtracted_across_workshops(db: Database) -> None:
    """Three women from Puno rate W1 and W2, one woman from Cusco rates W2 too, three women
    from Piura rate W3, everyone 5 but her (1). Puno's average over both workshops minus W1's
    gives Puno's part of W2, and W2's total minus that gives hers: Puno is hidden too."""
    starts = datetime(2026, 3, 10, 9, tzinfo=LIMA)
    people = {1: "puno", 2: "puno", 3: "puno", 4: "cusco", 5: "piura", 6: "piura", 7: "piura"}
    rated = {1: [1, 2, 3], 2: [1, 2, 3, 4], 3: [5, 6, 7]}
    async with db.session() as session:
        for workshop in rated:
            session.add(
                Workshop(
                    id=workshop, code=f"W{workshop}", title=f"Taller {workshop}",
                    region_code="puno", starts_at=starts + timedelta(days=workshop),
                    ends_at=starts + timedelta(days=workshop, hours=3),
                    survey_closes_at=starts + timedelta(days=workshop + 3),
                )
            )  # fmt: skip
        for number, region in people.items():
            session.add(
                Person(
                    id=number, telegram_id=7100 + number, full_name=f"P{number}", sex="female",
                    region_code=region, consent_at=starts - timedelta(days=9),
                    registered_at=starts - timedelta(days=9),
                )
            )  # fmt: skip
        await session.flush()
        for workshop, raters in rated.items():
            for number in raters:
                score = 1 if number == 4 else 5
                session.add(
                    WorkshopAttendance(
                        workshop_id=workshop,
                        person_id=number,
                        checked_in_at=starts + timedelta(days=workshop),
                    )
                )
                session.add(
                    WorkshopRating(
                        workshop_id=workshop, person_id=number, overall=score, content=score,
                        facilitation=score, usefulness=score, organization=score,
                        completed_at=starts + timedelta(days=workshop, hours=4),
                    )
                )  # fmt: skip
    async with db.session() as session:
        from bot.services.indicators import query_for

        indicator = await training(await query_for(session, Period.year(2026), None, T, READ))
    _criteria, _distribution, by_region, by_sex, workshops = indicator.tables
    # Each workshop's average is public anyway (/taller shows it): W2 is (3 × 5 + 1) / 4.
    assert [row[7] for row in workshops.rows] == [5.0, 4.0, 5.0]
    assert [row[0] for row in by_region.rows] == ["Cusco", "Piura", "Puno", "Total"]
    assert [row[5] for row in by_region.rows] == [None, None, None, 46 / 10]
    assert [row[5] for row in by_sex.rows] == [46 / 10, None, None, 46 / 10]


async def test_registered_counts_by_sex_are_not_singled_out(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """/registrados: Puno's three women show; Cusco's one man would be one person's sex
    (and undo indicator 7, which hides Cusco's share of women): «—»."""
    from tests.conftest import ADMIN_ID

    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    for number, (region, sex) in enumerate(
        [("Puno", "Mujer"), ("Puno", "Mujer"), ("Puno", "Mujer"), ("Cusco", "Hombre")]
    ):
        await register(Chatter(api, 6300 + number, f"Persona{number}"), region=region, sex=sex)
    await registered_last_month(runtime)  # /registrados reads the latest month's end
    (counts,) = await rosa.say("/registrados")
    text = counts.text
    assert "Cusco: 1 (—)" in text and "Hombre: 1" not in text
    assert "Puno: 3 (—)" in text  # beside the total by sex it would give Cusco's
    assert "Total: 5" in text
