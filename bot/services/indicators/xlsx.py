"""The indicator report as a workbook: a cover sheet (period, scope, when, definitions) and
one sheet per indicator, each of its tables an Excel table with its own filter buttons."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Translator
from bot.services.indicators import Report
from bot.services.indicators.common import Indicator, Kind, Table
from bot.services.indicators.render import report_notes
from bot.services.spreadsheet import (
    AVERAGE_FORMAT,
    DECIMAL_FORMAT,
    MAX_WIDTH,
    MISSING,
    PERCENT_FORMAT,
    bold,
    fit_columns,
    style_header,
    workbook_bytes,
)

FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.AVERAGE: AVERAGE_FORMAT,
    Kind.SHARE: PERCENT_FORMAT,
    Kind.NUMBER: DECIMAL_FORMAT,
}
_TITLE_FONT = Font(bold=True, size=14)
_STYLE = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def report_xlsx(report: Report, t: Translator) -> bytes:
    book = Workbook()
    _cover(book.active, report, t)
    for indicator in report.indicators:
        _indicator_sheet(book.create_sheet(sheet_name(indicator)), indicator, t)
    return workbook_bytes(book)


def sheet_name(indicator: Indicator) -> str:
    """'4 Casos atendidos por los…' within Excel's 31 characters, no forbidden characters."""
    name = f"{indicator.number} {indicator.title}"
    for forbidden in "[]:*?/\\":
        name = name.replace(forbidden, " ")
    return name if len(name) <= 31 else name[:30].rstrip() + "…"


def _cover(sheet: Worksheet, report: Report, t: Translator) -> None:
    _ = t.gettext
    sheet.title = _("Cover")
    sheet.append([_("Minka — programme indicators")])
    sheet["A1"].font = _TITLE_FONT
    sheet.append([])
    for label, value in (
        (_("Period"), report.period.label(t)),
        (_("Scope"), report.scope),
        (_("Generated at"), t.datetime(report.generated_at)),
        (
            _("Small cells"),
            _(
                "Figures resting on fewer than 3 people show «—», and so do others that would "
                "let them be worked out from the totals (a region beside the total, say)"
            ),
        ),
        *((_("Note"), note) for note in report_notes(report, t)),
    ):
        sheet.append([label, value])
        bold(sheet.cell(sheet.max_row, 1))
    sheet.append([])
    sheet.append([_("No."), _("Indicator"), _("Definition"), _("Sheet")])
    header_row = sheet.max_row  # (an empty row does not count in max_row: read it after)
    for indicator in report.indicators:
        sheet.append(
            [indicator.number, indicator.title, indicator.definition, sheet_name(indicator)]
        )
        sheet.cell(sheet.max_row, 3).alignment = _WRAP
        sheet.cell(sheet.max_row, 2).alignment = _WRAP
    _as_table(sheet, header_row, 4, len(report.indicators), "Definiciones")
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 90
    sheet.column_dimensions["D"].width = 32


def _indicator_sheet(sheet: Worksheet, indicator: Indicator, t: Translator) -> None:
    sheet.append([f"{indicator.number}. {indicator.title}"])
    sheet["A1"].font = _TITLE_FONT
    sheet.append([indicator.definition])
    sheet["A2"].alignment = _WRAP
    widest = max(len(table.columns) for table in indicator.tables)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(widest, 4))
    sheet.row_dimensions[2].height = 15 * (1 + len(indicator.definition) // 110)
    first_header: int | None = None
    row = 3  # rows are counted here: openpyxl's max_row rescans the sheet on every call
    for number, table in enumerate(indicator.tables, start=1):
        title = sheet.cell(row + 1, 1, table.title)
        bold(title)
        header_row = row + 2
        first_header = first_header or header_row
        _write_table(sheet, table, header_row)
        name = f"I{indicator.number}_{number}"
        _as_table(sheet, header_row, len(table.columns), len(table.rows), name)
        row = header_row + max(len(table.rows), 1) + 1
    if first_header is not None:
        sheet.freeze_panes = f"B{first_header + 1}"
    fit_columns(sheet, widest, first_row=3)
    sheet.column_dimensions["A"].width = min(MAX_WIDTH, sheet.column_dimensions["A"].width + 4)


def _write_table(sheet: Worksheet, table: Table, header_row: int) -> None:
    for index, label in enumerate(_unique_headers([c.label for c in table.columns]), start=1):
        sheet.cell(header_row, index, label)
    for offset, values in enumerate(table.rows, start=1):
        for index, (value, column) in enumerate(zip(values, table.columns, strict=True), start=1):
            cell = sheet.cell(header_row + offset, index, MISSING if value is None else value)
            if column.kind in FORMATS and isinstance(value, int | float):
                cell.number_format = FORMATS[column.kind]


def _unique_headers(labels: list[str]) -> list[str]:
    """Excel tables need distinct, non-empty header texts."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        label = label or "—"
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def _as_table(sheet: Worksheet, header_row: int, columns: int, rows: int, name: str) -> None:
    """Style the header and make the block an Excel table (filter buttons, stripes)."""
    for index in range(1, columns + 1):
        cell = sheet.cell(header_row, index)
        style_header(cell)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = f"{get_column_letter(columns)}{header_row + max(rows, 1)}"
    if rows == 0:
        sheet.cell(header_row + 1, 1, MISSING)
    table = ExcelTable(displayName=name, ref=f"A{header_row}:{last}")
    table.tableStyleInfo = _STYLE
    sheet.add_table(table)
