"""A workshop report as an Excel workbook, for coordinators who keep their own records.

Numbers stay numbers (so they can be summed and charted), every label is translated, and each
sheet has a frozen header row and a filter so long lists remain easy to read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

from bot.i18n import N_, Translator
from bot.services.small_cells import SMALL_CELL
from bot.services.spreadsheet import (
    AVERAGE_FORMAT,
    MAX_WIDTH,
    MIN_WIDTH,
    MISSING,
    NOT_GIVEN,
    PERCENT_FORMAT,
    add_sheet,
    or_missing,
    workbook_bytes,
)
from bot.services.workshop_report import CRITERION_LABELS, SCALE, Cell, WorkshopReport
from storage.repositories.workshops import CRITERIA


def _summary_rows(report: WorkshopReport, t: Translator) -> list[tuple[str, Any, str | None]]:
    """(label, value, number format) for the Resumen sheet."""
    workshop = report.workshop
    note = t.gettext(
        N_(
            "So that nobody's answers can be singled out, an average is hidden (—) when fewer "
            "than {count} people answered it or when it would let a hidden one be worked out "
            "from the total, and a distribution is shown only when each of its counts is 0 or "
            "at least {count}."
        )
    ).format(count=SMALL_CELL)
    if report.withheld:
        note = t.gettext(
            N_(
                "The answers are shown when the survey closes: until then they change with each "
                "response, and two looks, subtracted, would give away the rating of whoever "
                "answered in between."
            )
        )
    return [
        (t.gettext(N_("Code")), workshop.code, None),
        (t.gettext(N_("Title")), workshop.title, None),
        (t.gettext(N_("Topic")), or_missing(workshop.topic), None),
        (t.gettext(N_("Starts")), t.datetime(workshop.starts_at), None),
        (t.gettext(N_("Ends")), t.datetime(workshop.ends_at), None),
        (t.gettext(N_("Survey closes")), t.datetime(workshop.survey_closes_at), None),
        (
            t.gettext(N_("Region")),
            workshop.region_name or t.gettext(N_("National / virtual")),
            None,
        ),
        (t.gettext(N_("Place")), or_missing(workshop.place), None),
        (t.gettext(N_("Facilitator")), or_missing(workshop.facilitator), None),
        (t.gettext(N_("Attendees")), report.attendees, None),
        (t.gettext(N_("Responses")), report.responses, None),
        (t.gettext(N_("Response rate")), or_missing(report.response_rate), PERCENT_FORMAT),
        (t.gettext(N_("Note")), note, None),
    ]


def _cell_rows(cells: Sequence[Cell], label: Callable[[str | None], str]) -> list[tuple[Any, ...]]:
    """Label, attendees, responses, average (or — for a small group), one row per group."""
    return [
        (label(cell.label_code), cell.attendees, cell.responses, or_missing(cell.average_overall))
        for cell in cells
    ]


def report_xlsx(report: WorkshopReport, t: Translator) -> bytes:
    """The .xlsx file: Resumen, Criterios, Por región and Comentarios (no table by sex: see
    `bot.services.workshop_report`)."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)

    summary = _summary_rows(report, t)
    overview = add_sheet(
        book,
        "Resumen",
        [t.gettext(N_("Field")), t.gettext(N_("Value"))],
        [(label, value) for label, value, _ in summary],
    )
    overview.column_dimensions["B"].width = MAX_WIDTH
    for row, (_, value, number_format) in enumerate(summary, start=2):
        cell = overview.cell(row=row, column=2)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format

    criteria_rows = [
        (
            t.gettext(CRITERION_LABELS[name]),
            or_missing(report.criteria[name].average),
            report.criteria[name].count,
            *(report.criteria[name].distribution or [MISSING] * len(SCALE)),
        )
        for name in CRITERIA
    ]
    add_sheet(
        book,
        "Criterios",
        [
            t.gettext(N_("Criterion")),
            t.gettext(N_("Average")),
            t.gettext(N_("Responses")),
            *(str(value) for value in SCALE),
        ],
        criteria_rows,
        formats={1: AVERAGE_FORMAT},
    )

    breakdown_header = [
        t.gettext(N_("Attendees")),
        t.gettext(N_("Responses")),
        t.gettext(N_("Average overall rating")),
    ]
    add_sheet(
        book,
        "Por región",
        [t.gettext(N_("Region")), *breakdown_header],
        _cell_rows(report.by_region, lambda name: name or t.gettext(NOT_GIVEN)),
        formats={3: AVERAGE_FORMAT},
    )

    comments = add_sheet(
        book,
        "Comentarios",
        ["#", t.gettext(N_("Comment"))],
        [(number, text) for number, text in enumerate(report.comments, start=1)],
    )
    comments.column_dimensions["A"].width = MIN_WIDTH
    comments.column_dimensions["B"].width = 100
    for (cell,) in comments.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    return workbook_bytes(book)
