"""What every workbook and CSV file Minka writes has in common: bold, frozen, filterable
headers, columns fitted to their content, numbers kept as numbers, "—" where a value is
missing, and text that stays text. openpyxl is imported only when a workbook is written (it
weighs about 20 MB).

Text typed by people (a survey comment, a delegate's name, a workshop title) ends up in these
files. Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` as a formula
(tab and carriage return can hide such a start), and a formula can send the sheet's contents
to any address (`=HYPERLINK(...)`, `=WEBSERVICE(...)`): every string cell that starts so is
written as text (`as_text` for CSV, `text_cells` for workbooks). So is one that starts so after
blanks (spaces, no-break or ideographic ones, line breaks: an import that trims them meets the
formula) or with a full-width or small form of those signs («＝», «﹢»: Excel takes «＝» typed
in a cell for «=»), which Unicode's compatibility mapping (NFKC) turns into them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value: Any) -> bool:
    """A string a spreadsheet could take for a formula (see the module's docstring)."""
    if not isinstance(value, str):
        return False
    if value.startswith(FORMULA_STARTS):
        return True
    head = value.lstrip()[:1]
    return bool(head) and unicodedata.normalize("NFKC", head).startswith(FORMULA_STARTS)


def as_text(value: Any) -> Any:
    """For CSV: such a string gets a leading apostrophe, which spreadsheets read as "text"."""
    return f"'{value}" if starts_formula(value) else value


def text_cells(cells: Iterable[Cell]) -> None:
    """For workbooks: openpyxl stores a string that starts with "=" as a formula; such cells
    are stored as strings instead, marked so that Excel keeps them text when edited."""
    for cell in cells:
        if starts_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def csv_rows(out: Any, rows: Iterable[Sequence[Any]]) -> None:
    """Write rows with a `csv.writer`, every string through `as_text`: the one way Minka
    writes CSV."""
    out.writerows([as_text(value) for value in row] for row in rows)


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx file, every string cell of every sheet checked by `text_cells` first: the one
    way Minka saves a workbook."""
    from io import BytesIO

    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            text_cells(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
