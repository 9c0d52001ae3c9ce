"""The «Informe de visita» workbook: a cover sheet ready to attach to the programme's
deliverable, then the delegation by region and as regional leaders or
officials, and the participant list. Written through bot.services.spreadsheet (formula-safe)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

from bot.i18n import N_, Translator
from bot.services.spreadsheet import MAX_WIDTH, MISSING, NOT_GIVEN, add_sheet, bold, workbook_bytes
from bot.services.visit_report import LEADER, GroupCounts, VisitReport
from bot.services.visits import ANSWERS

COUNT_LABELS = (
    N_("Invited"),
    N_("Accepted"),
    N_("Cannot go"),
    N_("No answer"),
    N_("Delegation (confirmed)"),
    N_("Travelled"),
)
KIND_LABELS = {LEADER: N_("Regional leaders"), "official": N_("Officials")}


def _counts(group: GroupCounts) -> list[Any]:
    c = group.counts
    return [c.invited, c.accepted, c.declined, c.pending, c.confirmed, c.travelled]


def _table(groups: Sequence[GroupCounts], label: Callable[[str | None], str]) -> list[list[Any]]:
    return [[label(group.key), *_counts(group)] for group in groups]


def _cover(book: Workbook, report: VisitReport, t: Translator, now: datetime) -> None:
    _ = t.gettext
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Visit report")[:31]
    visit, totals = report.visit, report.totals
    rows: list[tuple[str, Any]] = [
        (_("Visit report"), visit.title),
        (_("Code"), visit.code),
        (_("Status"), _("Cancelled") if visit.status == "cancelled" else _("Scheduled")),
        (_("Destination"), visit.destination),
        (_("Departure"), t.datetime(visit.starts_at)),
        (_("Return"), t.datetime(visit.ends_at)),
        (_("Prepared on"), t.datetime(now)),
        *(
            (_(label), value)
            for label, value in zip(COUNT_LABELS, _counts(GroupCounts(None, totals)), strict=True)
        ),
        (
            _("Regional leaders in the delegation"),
            sum(1 for p in report.people if p.confirmed and p.person_id in report.leaders),
        ),
        (
            _("Regional leaders who travelled"),
            sum(1 for p in report.people if p.travelled and p.person_id in report.leaders),
        ),
        (
            _("Note"),
            _(
                "Each person is counted once. Regional leaders: the leaders' positions set in "
                "Minka (by default governor, vice governor, manager or regional director), "
                "corrected by the coordination where needed. No counts by sex here: indicator 9 of "
                "/indicadores gives them by quarter and year, where nobody's sex can be told."
            ),
        ),
    ]
    for label, value in rows:
        sheet.append([label, value])
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        bold(cell)
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = MAX_WIDTH
    for (cell,) in sheet.iter_rows(min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def report_xlsx(report: VisitReport, t: Translator, now: datetime) -> bytes:
    _ = t.gettext
    book = Workbook()
    _cover(book, report, t, now)
    header = [_(label) for label in COUNT_LABELS]
    add_sheet(
        book,
        _("By region"),
        [_("Region"), *header],
        _table(report.by_region, lambda key: key or _(NOT_GIVEN)),
    )
    add_sheet(
        book,
        _("Leaders and officials"),
        [_("Group"), *header],
        _table(report.by_kind, lambda key: _(KIND_LABELS[key or "official"])),
    )
    yes, no = _("Yes"), _("No")
    add_sheet(
        book,
        _("Participants"),
        [
            _("Name"),
            _("Region"),
            _("Position"),
            _("Group"),
            _("Answer"),
            _("Reason"),
            _("In the delegation"),
            _("Travelled?"),
        ],
        [
            [
                p.name or _("(name not given)"),
                p.region_name or _(NOT_GIVEN),
                p.position or MISSING,
                _(KIND_LABELS[LEADER if p.person_id in report.leaders else "official"]),
                _(ANSWERS[p.answer]),
                p.reason or MISSING,
                yes if p.confirmed else no,
                yes if p.travelled else no,
            ]
            for p in report.people
        ],
    )
    survey = report.survey
    if survey.usefulness is not None:
        seen = survey.equality_seen
        add_sheet(
            book,
            _("Questionnaire"),
            [_("Question"), _("Answer")],
            [
                [_("People who answered"), survey.answered],
                [_("Average usefulness (1 to 5)"), round(survey.usefulness, 2)],
                [_("Saw equal-opportunity practices: Yes"), seen[0] if seen else MISSING],
                [_("Saw equal-opportunity practices: No"), seen[1] if seen else MISSING],
                *([_("Thing learned"), text] for text in survey.learned),
                *([_("Practice to apply"), text] for text in survey.practices),
                *([_("Comment on equal opportunities"), text] for text in survey.comments),
            ],
        )
    return workbook_bytes(book)
