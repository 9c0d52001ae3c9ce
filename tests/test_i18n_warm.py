"""bot.i18n.warm(): the catalogs and Babel's locale data are loaded before the first update, so
the first reply that formats a date does not stall the loop loading them."""

import subprocess
import sys

_PROBE = """
from zoneinfo import ZoneInfo
from babel import localedata
from bot import i18n
assert i18n._catalog.cache_info().currsize == 0 and not localedata._cache
i18n.warm(ZoneInfo("America/Lima"))
assert i18n._catalog.cache_info().currsize == len(i18n.LANGUAGES)
assert {"es_PE", "en"} <= set(localedata._cache), sorted(localedata._cache)
print("warm")
"""


def test_warm_loads_every_catalog_and_locale() -> None:
    # A fresh interpreter: this process's earlier tests have long since loaded both.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "warm"
