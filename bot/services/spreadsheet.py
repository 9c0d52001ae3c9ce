"""What every workbook Minka writes has in common: bold, frozen, filterable headers, columns
fitted to their content, numbers kept as numbers and "—" where a value is missing. openpyxl is
imported only when a workbook is written (it weighs about 20 MB)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import N_

MISSING = "—"
NOT_GIVEN = N_("Not given")
AVERAGE_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
HEADER_COLOUR = "DDEBF7"
MIN_WIDTH, MAX_WIDTH = 8, 60


def add_sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: dict[int, str] | None = None,
) -> Worksheet:
    """A table with a bold, frozen, filterable header; `formats` maps column index to format."""
    from openpyxl.utils import get_column_letter

    sheet: Worksheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        style_header(cell)
    for row in rows:
        sheet.append(list(row))
    for index, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            if isinstance(cell.value, int | float):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    fit_columns(sheet, len(header))
    return sheet


def bold(cell: Cell) -> None:
    from openpyxl.styles import Font

    cell.font = Font(bold=True)


def style_header(cell: Cell) -> None:
    from openpyxl.styles import PatternFill

    bold(cell)
    cell.fill = PatternFill("solid", fgColor=HEADER_COLOUR)


def fit_columns(sheet: Worksheet, columns: int, *, first_row: int = 1) -> None:
    """Wide enough for the longest value (within limits); the filter arrow needs room too."""
    from openpyxl.utils import get_column_letter

    for index in range(1, columns + 1):
        longest = max(
            (
                len(str(cell.value))
                for (cell,) in sheet.iter_rows(min_row=first_row, min_col=index, max_col=index)
                if cell.value is not None
            ),
            default=0,
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, longest + 4)
        )


def or_missing(value: Any) -> Any:
    return MISSING if value is None or value == "" else value
