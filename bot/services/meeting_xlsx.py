"""A meeting report ("informe de la reunión") as an Excel workbook, for the coordinators'
own records of who was invited, who answered and who came.

It looks like the workshop workbook on purpose: numbers stay numbers (so they can be summed),
every label is translated, and each sheet has a bold, frozen, filterable header row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

from bot.i18n import N_, Translator
from bot.services.agreements import STATUSES as AGREEMENT_STATUSES
from bot.services.agreements import shown_status
from bot.services.meeting_report import ANSWERS, STATUSES, GroupCounts, Invitee, MeetingReport
from bot.services.meetings import KINDS
from bot.services.spreadsheet import (
    MAX_WIDTH,
    MISSING,
    NOT_GIVEN,
    add_sheet,
    or_missing,
    workbook_bytes,
)
from storage.repositories.agreements import AgreementRecord

COUNT_LABELS = (
    N_("Invited"),
    N_("Confirmed"),
    N_("Declined"),
    N_("Delegated"),
    N_("No answer"),
    N_("Attended"),
)


def _label(labels: dict[str, str], code: str, t: Translator) -> str:
    """A known code translated; an unknown one shown as stored rather than hidden."""
    return t.gettext(labels[code]) if code in labels else code


def _summary_rows(report: MeetingReport, t: Translator) -> list[tuple[str, Any]]:
    meeting, totals = report.meeting, report.totals
    counts = (
        totals.invited,
        totals.confirmed,
        totals.declined,
        totals.delegated,
        totals.pending,
        totals.attended,
    )
    return [
        (t.gettext(N_("Code")), meeting.code),
        (t.gettext(N_("Title")), meeting.title),
        (t.gettext(N_("Kind")), _label(KINDS, meeting.kind, t)),
        (t.gettext(N_("Status")), _label(STATUSES, meeting.status, t)),
        (t.gettext(N_("Starts")), t.datetime(meeting.starts_at)),
        (t.gettext(N_("Ends")), t.datetime(meeting.ends_at)),
        (t.gettext(N_("Place")), or_missing(meeting.place)),
        (t.gettext(N_("Link")), or_missing(meeting.link)),
        (t.gettext(N_("Agenda")), or_missing(meeting.agenda)),
        *((t.gettext(label), count) for label, count in zip(COUNT_LABELS, counts, strict=True)),
        (t.gettext(N_("Agreements")), or_missing(report.agreements)),
    ]


def _group_rows(
    groups: Sequence[GroupCounts], label: Callable[[str | None], str]
) -> list[tuple[Any, ...]]:
    """One row per region."""
    return [
        (
            label(group.key),
            group.counts.invited,
            group.counts.confirmed,
            group.counts.declined,
            group.counts.delegated,
            group.counts.pending,
            group.counts.attended,
        )
        for group in groups
    ]


def _delegate(invitee: Invitee) -> str:
    parts = [part for part in (invitee.delegate_name, invitee.delegate_position) if part]
    return " — ".join(parts) if parts else MISSING


def _invitee_rows(invitees: Sequence[Invitee], t: Translator) -> list[tuple[Any, ...]]:
    yes, no = t.gettext(N_("Yes")), t.gettext(N_("No"))
    return [
        (
            invitee.name or t.gettext(N_("(name not given)")),
            invitee.region_name or t.gettext(NOT_GIVEN),
            _label(ANSWERS, invitee.rsvp, t),
            _delegate(invitee),
            yes if invitee.attended else no,
        )
        for invitee in invitees
    ]


def _agreement_rows(
    agreements: Sequence[AgreementRecord], t: Translator, today: date
) -> list[tuple[Any, ...]]:
    return [
        (
            agreement.text,
            agreement.responsible_name or MISSING,
            t.date(agreement.due_on),
            _label(AGREEMENT_STATUSES, shown_status(agreement, today), t),
            t.date(agreement.done_at.astimezone(t.timezone).date())
            if agreement.done_at
            else MISSING,
        )
        for agreement in agreements
    ]


def report_xlsx(
    report: MeetingReport,
    t: Translator,
    agreements: Sequence[AgreementRecord] = (),
    today: date | None = None,
) -> bytes:
    """The .xlsx file: Resumen, Por región, Invitados and, when the meeting has
    agreements to follow up, Acuerdos (responsible, due date, status on `today`)."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)

    overview = add_sheet(
        book,
        "Resumen",
        [t.gettext(N_("Field")), t.gettext(N_("Value"))],
        _summary_rows(report, t),
    )
    overview.column_dimensions["B"].width = MAX_WIDTH
    for (cell,) in overview.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)

    counts_header = [t.gettext(label) for label in COUNT_LABELS]
    add_sheet(
        book,
        "Por región",
        [t.gettext(N_("Region")), *counts_header],
        _group_rows(report.by_region, lambda name: name or t.gettext(NOT_GIVEN)),
    )
    add_sheet(
        book,
        "Invitados",
        [
            t.gettext(N_("Name")),
            t.gettext(N_("Region")),
            t.gettext(N_("Their answer")),
            t.gettext(N_("Delegate")),
            t.gettext(N_("Attended")),
        ],
        _invitee_rows(report.invitees, t),
    )
    if agreements:
        add_sheet(
            book,
            "Acuerdos",
            [
                t.gettext(N_("Agreement")),
                t.gettext(N_("Responsible")),
                t.gettext(N_("Due date")),
                t.gettext(N_("Status")),
                t.gettext(N_("Fulfilled on")),
            ],
            _agreement_rows(agreements, t, today or datetime.now(t.timezone).date()),
        )
    return workbook_bytes(book)
