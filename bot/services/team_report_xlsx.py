"""A month's Regional Team reports as an Excel workbook, for the coordinators who follow them.

Built in a worker process (bot/workers.py), as every other workbook: openpyxl never loads into
the bot, and other people's replies never wait for the build. One row per member of the teams
the coordinator covers: who reported, when, on time or late, and what they wrote.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.i18n import Translator
from bot.services import team_reports as rules
from bot.services.spreadsheet import MISSING, add_sheet, workbook_bytes


def reports_xlsx(
    t: Translator,
    zone: ZoneInfo,
    month: str,
    members: list[rules.Member],
    sent: dict[int, rules.ReportRecord],
    names: dict[str, str],
) -> bytes:
    """The workbook of `month` (YYYY-MM): `members` in their order, `sent` their reports by
    person id, `names` the regions' names by code."""
    _ = t.gettext
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    rows = []
    for member in members:
        report = sent.get(member.person_id)
        rows.append(
            (
                names.get(member.region_code, member.region_code),
                member.name or MISSING,
                MISSING if report is None else t.datetime(report.submitted_at),
                _("missing")
                if report is None
                else (_("on time") if rules.on_time(report, zone) else _("late")),
                MISSING if report is None else report.cases,
                *(
                    MISSING if report is None else getattr(report, field) or MISSING
                    for field in rules.FIELDS
                ),
            )
        )
    header = [
        _("Region"),
        _("Name"),
        _("Sent"),
        _("Status"),
        _("Cases attended"),
        _("Activities"),
        _("Difficulties"),
        _("Support requested"),
        _("Next steps"),
    ]
    add_sheet(book, rules.month_name(t, month)[:31], header, rows)
    return workbook_bytes(book)
