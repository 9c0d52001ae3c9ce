"""`kb revisar` on 1 January 2027, as CI runs it: every item that rests on the formalization
plazo of 31 December 2026 (Ley 32537) is named, by file and line, so that none ships stale.

The items are found in the content's own words, not in the dates the checks read: an article
that gives the date or cites Ley 32537 (the law that set it), a glossary entry that gives the
date; and those whose header already dates them to that day. An article that states the plazo
without a date in its header would fail this test, not slip through CI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

from knowledge.loader import CONTENT_DIR, load

PLAZO = date(2026, 12, 31)  # Ley 32537's end of the formalization process
WORDS = ("31 de diciembre de 2026", "Ley 32537")


def _revisar(day: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "KB_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "kb", "revisar", "--hoy", day],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_new_years_day_names_every_item_of_the_31_december_plazo() -> None:
    kit = load(CONTENT_DIR)
    articles = {
        a.path
        for a in kit.articles.values()
        if any(w in "\n".join([a.title, a.summary, a.body, *a.sources]) for w in WORDS)
        or a.review_by == PLAZO
        or any(d.date == PLAZO for d in a.deadlines)
    }
    entries = {
        e.term
        for e in kit.glossary
        if "31 de diciembre de 2026" in e.definition or e.review_by == PLAZO
    }
    assert len(articles) >= 3 and entries  # the plazo is in the kit today

    last_day = _revisar(PLAZO.isoformat())
    assert last_day.returncode == 0, last_day.stdout  # the plazo's own day is still inside it
    run = _revisar("2027-01-01")
    assert run.returncode == 1
    failures = [line for line in run.stdout.splitlines() if not line.startswith("aviso:")]
    for path in sorted(articles):
        named = [line for line in failures if line.startswith(f"{path}:")]
        assert any("2026-12-31" in line for line in named), f"{path.name} is not named"
    glossary = [line for line in failures if line.startswith(f"{CONTENT_DIR / 'glossary.yaml'}:")]
    for term in sorted(entries):  # past its review_by, or its plazo «ya venció»
        said = [line for line in glossary if f"«{term}»" in line]
        assert any("2026-12-31" in line or "31 de diciembre de 2026" in line for line in said), term
    # Each declared plazo is called expired, not only overdue for review.
    for article in kit.articles.values():
        if any(d.date == PLAZO for d in article.deadlines):
            assert any(
                line.startswith(f"{article.path}:") and "venció el 2026-12-31" in line
                for line in failures
            ), article.id
    assert f"{len(failures)} problemas en el Tool Kit." in run.stderr
