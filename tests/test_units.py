"""Unit tests for the pure rules: region matching, validation, roles, dates, catalogs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, translator
from bot.services.profile import InvalidAnswer, validate_name, validate_position
from bot.services.provinces import PROVINCES
from bot.services.regions import match_region, normalize
from bot.services.roles import Role, allows, effective_role
from bot.telegram_entities import utf16_len
from bot.telegram_html import parse_html
from handlers.base import cut_html, esc
from handlers.case_form import NEW_CASE
from handlers.keyboards import as_number, button
from tests.regions import seeded_regions

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("la libertd", "la-libertad"),
        ("JUNIN", "junin"),
        ("Apurimak", "apurimac"),
        ("madre dios", "madre-de-dios"),
        ("gobierno regional de puno", "puno"),
        ("cuzco", "cusco"),
        ("lima", "lima"),
        ("Lima Metropolitana", "lima-metropolitana"),
        ("huancavelik", "huancavelica"),
        ("san martin", "san-martin"),
        ("mem", "minem"),
    ],
)
def test_region_typed_as_people_type(typed: str, code: str) -> None:
    match = match_region(typed, seeded_regions())
    assert match.region is not None and match.region.code == code


def test_unclear_region_gives_candidates_or_nothing() -> None:
    pasko = match_region("pasko", seeded_regions())
    assert pasko.region is None and [r.code for r in pasko.candidates] == ["pasco"]
    assert match_region("xyzzy", seeded_regions()) == match_region("xyzzy", seeded_regions())
    assert match_region("xyzzy", seeded_regions()).candidates == ()


def test_normalize() -> None:
    assert normalize("  Áncash,  HUÁNUCO! ") == "ancash huanuco"


def test_name_and_position_validation() -> None:
    assert validate_name("  Ana\u200b   Quispe ") == "Ana Quispe"
    for bad in ("", "1", "😀😀", "<script>", "a" * 121, "/start"):
        with pytest.raises(InvalidAnswer):
            validate_name(bad)
    assert validate_position(" Director  regional ") == "Director regional"
    with pytest.raises(InvalidAnswer):
        validate_position("x" * 121)


def test_roles() -> None:
    assert effective_role(1, None, {1}) is Role.ADMIN
    assert effective_role(2, "coordinator", {1}) is Role.COORDINATOR
    assert effective_role(2, "bogus", set()) is Role.OFFICIAL
    assert allows(Role.ADMIN, Role.COORDINATOR)
    assert not allows(Role.COORDINATOR, Role.ADMIN)
    assert not allows(Role.OFFICIAL, Role.SPECIALIST)


def test_lima_dates_in_spanish() -> None:
    t = translator("es", ZoneInfo("America/Lima"))
    assert t.datetime(datetime(2026, 11, 26, 15, 0, tzinfo=UTC)) == (
        "jueves 26 de noviembre de 2026, 10:00"
    )


def test_an_end_is_a_time_on_the_same_lima_day_else_a_full_date() -> None:
    """Lima days, not UTC ones: 19:00–23:30 in Lima ends on the next UTC day."""
    t = translator("es", ZoneInfo("America/Lima"))
    start = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)  # 19:00 on the 4th in Lima
    assert t.until(start, start + timedelta(hours=4, minutes=30)) == "23:30"
    late = start + timedelta(hours=6)  # 01:00 on the 5th in Lima
    assert t.until(start, late) == t.datetime(late) and "5 de diciembre" in t.datetime(late)


def test_numbers_follow_peru_locale_data() -> None:
    """Spanish figures use CLDR's es_PE symbols and percent pattern (Peru writes «3.5» and
    «1,234»), halves round up as by hand, and English keeps English."""
    locale = Locale.parse("es_PE")
    symbols = locale.number_symbols["latn"]
    point, comma = symbols["decimal"], symbols["group"]
    percent = locale.percent_formats[None].pattern.split("0")[-1]
    es, en = translator("es", ZoneInfo("America/Lima")), translator("en", ZoneInfo("UTC"))
    assert es.number(1234567) == f"1{comma}234{comma}567"
    assert es.number(3.45, 1) == f"3{point}5" and es.number(2.675, 2) == f"2{point}68"
    assert es.share(8 / 11) == f"72{point}7{percent}" and es.share(1, 0) == f"100{percent}"
    assert (en.number(1234.5, 1), en.share(0.5)) == ("1,234.5", "50.0%")
    assert es.date(date(2026, 12, 4)) == "4 de diciembre de 2026"
    assert (
        es.month(2026, 12) == "Diciembre 2026" and en.date(date(2026, 12, 4)) == "December 4, 2026"
    )


def test_callback_data_limit_is_enforced() -> None:
    assert button("x", "a" * 64).callback_data == "a" * 64
    assert button("  ", "a").text == "—"  # Telegram refuses an empty label
    with pytest.raises(ValueError, match="1-64 bytes"):
        button("x", "ñ" * 33)


def test_every_province_fits_its_button() -> None:
    """A case's province goes in the button's callback data by name, accents and all, and
    Telegram counts its 64 bytes in UTF-8 («ó» is two): the longest must still fit."""
    for name in (name for names in PROVINCES.values() for name in names):
        data = f"{NEW_CASE.prefix}:province:{name}"
        assert len(data.encode()) <= 64 and button(name, data).callback_data == data


def test_numbers_in_callback_data() -> None:
    """Forged data can carry anything: only what an id column holds is a number."""
    assert as_number("42") == 42 and as_number("007") == 7 and as_number("0") == 0
    assert as_number(str(2**31 - 1)) == 2**31 - 1
    for forged in ("", "-1", "²", "١٢", "𝟙", " 1", "+1", "1e3", "9" * 60, str(2**31)):
        assert as_number(forged) is None, forged


@pytest.mark.parametrize("limit", [50, 333, 4000])
def test_long_html_is_cut_into_valid_html(limit: int) -> None:
    """A long list (e.g. /mis_preguntas with escaped questions) cut at any point stays valid
    Telegram HTML: no half «&amp;» or half tag, the open tags closed."""
    text = "<b>Mis preguntas</b>\n" + "\n".join(
        f"❓ {esc('a & <b>x</b> 👩🏽‍🌾' * 40)}\n<i>{n}</i>" for n in range(40)
    )
    for end in range(limit - 12, limit):  # wherever the cut falls
        cut = cut_html(text[: end + 3000], limit)
        plain, _entities = parse_html(cut, lambda _id: None)
        assert utf16_len(plain) <= limit and cut.count("…") == 1
    assert cut_html("<b>short</b>", limit) == "<b>short</b>"


def test_spanish_catalog_is_complete() -> None:
    """Every message in the code has a Spanish translation (no English leaks to officials)."""
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for folder in ("bot", "handlers", "knowledge"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    with (LOCALES_DIR / "es" / "LC_MESSAGES" / "minka.po").open("rb") as po:
        catalog = read_po(po, locale="es")
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id
        and all(m.string if isinstance(m.string, tuple) else [m.string])
        and "fuzzy" not in m.flags
    }
    missing = sorted(found - translated)
    assert not missing, f"untranslated: {missing} — run python -m bot.catalogs and translate"
    placeholders_differ = [
        m.id
        for m in catalog
        if isinstance(m.id, str) and m.string and set(_fields(m.id)) != set(_fields(str(m.string)))
    ]
    assert not placeholders_differ


def test_spanish_messages_have_no_doubled_punctuation() -> None:
    """What a person reads, tags aside: an example that ends in «a. m.» before the sentence's
    period read «9 a. m..» in four date prompts; no «..» (an ellipsis «…» or «...» is fine),
    «??» or doubled spaces."""
    import re

    with (LOCALES_DIR / "es" / "LC_MESSAGES" / "minka.po").open("rb") as po:
        catalog = read_po(po, locale="es")
    doubled = [
        plain
        for m in catalog
        for text in (m.string if isinstance(m.string, tuple) else [m.string])
        if (plain := re.sub(r"<[^>]+>", "", text or ""))
        and re.search(r"(?<!\.)\.\.(?!\.)|\?\?|¿¿|!!|  ", plain)
    ]
    assert not doubled


def _fields(text: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", text)
