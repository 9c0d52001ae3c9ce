"""A workshop report as an Excel workbook, for coordinators who keep their own records.

Numbers stay numbers (so they can be summed and charted), every label is translated, and each
sheet has a frozen header row and a filter so long lists remain easy to read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import N_, Translator
from bot.services.profile import SEXES
from bot.services.workshop_report import (
    CRITERION_LABELS,
    SCALE,
    SMALL_CELL,
    Cell,
    WorkshopReport,
)
from storage.repositories.workshops import CRITERIA

MISSING = "—"
AVERAGE_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_MIN_WIDTH, _MAX_WIDTH = 8, 60

NOT_GIVEN = N_("Not given")


def _sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: dict[int, str] | None = None,
) -> Worksheet:
    """A table with a bold, frozen, filterable header; `formats` maps column index to format."""
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row in rows:
        sheet.append(list(row))
    for index, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            if isinstance(cell.value, int | float):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    _fit_columns(sheet, len(header))
    return sheet


def _fit_columns(sheet: Worksheet, columns: int) -> None:
    """Wide enough for the longest value (within limits); the filter arrow needs room too."""
    for index in range(1, columns + 1):
        letter = get_column_letter(index)
        longest = max(
            (len(str(cell.value)) for (cell,) in sheet.iter_rows(min_col=index, max_col=index)),
            default=0,
        )
        sheet.column_dimensions[letter].width = min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 4))


def _or_missing(value: Any) -> Any:
    return MISSING if value is None or value == "" else value


def _summary_rows(report: WorkshopReport, t: Translator) -> list[tuple[str, Any, str | None]]:
    """(label, value, number format) for the Resumen sheet."""
    workshop = report.workshop
    note = t.gettext(
        N_(
            "Group averages are hidden (—) when fewer than {count} people answered, "
            "so that nobody's answers can be singled out."
        )
    ).format(count=SMALL_CELL)
    return [
        (t.gettext(N_("Code")), workshop.code, None),
        (t.gettext(N_("Title")), workshop.title, None),
        (t.gettext(N_("Topic")), _or_missing(workshop.topic), None),
        (t.gettext(N_("Starts")), t.datetime(workshop.starts_at), None),
        (t.gettext(N_("Ends")), t.datetime(workshop.ends_at), None),
        (t.gettext(N_("Survey closes")), t.datetime(workshop.survey_closes_at), None),
        (
            t.gettext(N_("Region")),
            workshop.region_name or t.gettext(N_("National / virtual")),
            None,
        ),
        (t.gettext(N_("Place")), _or_missing(workshop.place), None),
        (t.gettext(N_("Facilitator")), _or_missing(workshop.facilitator), None),
        (t.gettext(N_("Attendees")), report.attendees, None),
        (t.gettext(N_("Responses")), report.responses, None),
        (t.gettext(N_("Response rate")), _or_missing(report.response_rate), PERCENT_FORMAT),
        (t.gettext(N_("Note")), note, None),
    ]


def _sex_label(code: str | None, t: Translator) -> str:
    if code is None:
        return t.gettext(NOT_GIVEN)
    return t.gettext(SEXES[code]) if code in SEXES else code


def _cell_rows(cells: Sequence[Cell], label: Callable[[str | None], str]) -> list[tuple[Any, ...]]:
    """Label, attendees, responses, average (or — for a small group), one row per group."""
    return [
        (label(cell.label_code), cell.attendees, cell.responses, _or_missing(cell.average_overall))
        for cell in cells
    ]


def report_xlsx(report: WorkshopReport, t: Translator) -> bytes:
    """The .xlsx file: Resumen, Criterios, Por sexo, Por región and Comentarios."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)

    summary = _summary_rows(report, t)
    overview = _sheet(
        book,
        "Resumen",
        [t.gettext(N_("Field")), t.gettext(N_("Value"))],
        [(label, value) for label, value, _ in summary],
    )
    overview.column_dimensions["B"].width = _MAX_WIDTH
    for row, (_, value, number_format) in enumerate(summary, start=2):
        cell = overview.cell(row=row, column=2)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format

    criteria_rows = [
        (
            t.gettext(CRITERION_LABELS[name]),
            _or_missing(report.criteria[name].average),
            report.criteria[name].count,
            *report.criteria[name].distribution,
        )
        for name in CRITERIA
    ]
    _sheet(
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
    _sheet(
        book,
        "Por sexo",
        [t.gettext(N_("Sex")), *breakdown_header],
        _cell_rows(report.by_sex, lambda code: _sex_label(code, t)),
        formats={3: AVERAGE_FORMAT},
    )
    _sheet(
        book,
        "Por región",
        [t.gettext(N_("Region")), *breakdown_header],
        _cell_rows(report.by_region, lambda name: name or t.gettext(NOT_GIVEN)),
        formats={3: AVERAGE_FORMAT},
    )

    comments = _sheet(
        book,
        "Comentarios",
        ["#", t.gettext(N_("Comment"))],
        [(number, text) for number, text in enumerate(report.comments, start=1)],
    )
    comments.column_dimensions["A"].width = _MIN_WIDTH
    comments.column_dimensions["B"].width = 100
    for (cell,) in comments.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
