"""The indicator report in words: values formatted the Peruvian way, the chat summary, and
the CSV folder the CLI writes for those who prefer plain files."""

from __future__ import annotations

import csv
import re
import unicodedata
from html import escape
from pathlib import Path

from bot.i18n import N_, Translator
from bot.services.indicators import Report
from bot.services.indicators.common import Indicator, Kind, Value
from bot.services.spreadsheet import MISSING, csv_rows

MESSAGE_LIMIT = 4096
_DIGITS = {Kind.COUNT: 0, Kind.AVERAGE: 2, Kind.NUMBER: 1}


def formatted(value: Value, kind: Kind, t: Translator) -> str:
    """'1,234', '4.25', '45.5%' (the person's locale: es_PE writes decimals with a point) or
    '—'."""
    if value is None:
        return MISSING
    if isinstance(value, str) or kind is Kind.TEXT:
        return str(value)
    if kind is Kind.SHARE:
        return t.share(value)
    return t.number(value, _DIGITS.get(kind, 2))


def summary_messages(report: Report, t: Translator) -> list[str]:
    """The chat summary (HTML): a heading, then each indicator's headline figures; split into
    several messages only if it would not fit in one."""
    _ = t.gettext
    heading = "📊 <b>{title}</b>\n{period_label}: {period}\n{scope_label}: {scope}".format(
        title=_("Programme indicators"),
        period_label=_("Period"),
        period=report.period.label(t),
        scope_label=_("Scope"),
        scope=escape(report.scope),
    )
    blocks = [heading, *(_block(indicator, t) for indicator in report.indicators)]
    if (running := running_note(report, t)) is not None:
        blocks.append(f"ℹ️ {escape(running)}")
    if (late := cut_short_note(report, t)) is not None:
        blocks.append(f"⚠️ {escape(late)}")
    note = _(
        "«—»: fewer than 3 people, or a figure that would let such a one be worked out; "
        "the XLSX file has every table."
    )
    blocks.append(f"<i>{note}</i>")
    messages = [""]
    for block in blocks:
        candidate = f"{messages[-1]}\n\n{block}" if messages[-1] else block
        if len(candidate) <= MESSAGE_LIMIT:
            messages[-1] = candidate
        else:
            messages.append(block)
    return messages


def running_note(report: Report, t: Translator) -> str | None:
    """Why every figure by sex shows «—» in a period not ended when read
    (`Report.running`), for the chat, the workbook's cover and the CLI's files; None once
    it has ended."""
    if not report.running:
        return None
    return t.gettext("Period in progress: the figures by sex are published once it ends.")


def report_notes(report: Report, t: Translator) -> list[str]:
    """The notes of the cover (workbook, CSV folder): the period in progress, a check cut
    short."""
    return [note for note in (running_note(report, t), cut_short_note(report, t)) if note]


def cut_short_note(report: Report, t: Translator) -> str | None:
    """Why some figures show «—» when a privacy check stopped short (past REPORT_SECONDS,
    or indicator 3's safety net: `Report.cut_short`), for the chat, the workbook's cover and
    the CLI's files; None when every check read everything."""
    if not report.cut_short:
        return None
    return t.gettext(
        "Some figures are not shown: the privacy check did not finish in time. Ask for the "
        "report of a shorter period, or try again later."
    )


def _block(indicator: Indicator, t: Translator) -> str:
    lines = [f"<b>{indicator.number}. {escape(indicator.title)}</b>"]
    if not any(headline.value for headline in indicator.headlines):
        lines.append(t.gettext(N_("no data for this period")))
        return "\n".join(lines)
    for headline in indicator.headlines:
        value = formatted(headline.value, headline.kind, t)
        lines.append(f"• {escape(headline.label)}: {value}")
    return "\n".join(lines)


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:50]


def write_csv(report: Report, t: Translator, folder: Path) -> list[Path]:
    """One UTF-8 CSV per table (Excel opens them with accents intact), plus a cover file with
    the period, scope and every definition. Shares are written as percentages."""
    _ = t.gettext
    folder.mkdir(parents=True, exist_ok=True)
    cover = folder / f"00-{slug(_('Cover'))}.csv"
    written = [cover]
    with cover.open("w", newline="", encoding="utf-8-sig") as handle:
        csv_rows(
            csv.writer(handle),
            [
                [_("Period"), report.period.label(t)],
                [_("Scope"), report.scope],
                [_("Generated at"), t.datetime(report.generated_at)],
                *([_("Note"), note] for note in report_notes(report, t)),
                [],
                [_("No."), _("Indicator"), _("Definition")],
                *([i.number, i.title, i.definition] for i in report.indicators),
            ],
        )
    for indicator in report.indicators:
        for number, table in enumerate(indicator.tables, start=1):
            path = folder / f"{indicator.number}-{number}-{slug(table.title)}.csv"
            with path.open("w", newline="", encoding="utf-8-sig") as handle:
                header = [
                    f"{column.label} (%)" if column.kind is Kind.SHARE else column.label
                    for column in table.columns
                ]
                rows = (
                    [_csv_value(value, c.kind) for value, c in zip(row, table.columns, strict=True)]
                    for row in table.rows
                )
                csv_rows(csv.writer(handle), [header, *rows])
            written.append(path)
    return written


def _csv_value(value: Value, kind: Kind) -> str | int | float:
    if value is None:
        return MISSING
    if kind is Kind.SHARE and isinstance(value, int | float):
        return round(100 * value, 1)
    if kind in (Kind.AVERAGE, Kind.NUMBER) and isinstance(value, float):
        return round(value, 2)
    return value
