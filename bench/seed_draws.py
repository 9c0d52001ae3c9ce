"""The indicators seeder's tools (bench.seed_indicators): rows written to SQLite with
`executemany`, datetimes exactly as `storage.types.UTCDateTime` writes them there (naive UTC,
'YYYY-MM-DD HH:MM:SS.ffffff', which `check_stamps()` verifies against the type's own bind
processor); and its random draws: moments over 2025–2026, people, choices, sizes, codes."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

Choice = tuple[tuple[Any, ...], tuple[float, ...]]
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
START = int(datetime(2025, 1, 1, 5, tzinfo=UTC).timestamp())  # midnight in Lima
END = int(datetime(2027, 1, 1, 5, tzinfo=UTC).timestamp())
HOUR, DAY = 3600, 86400
CHUNK = 50_000
Row = tuple[Any, ...]
REGIONS_SQL = "SELECT code FROM regions WHERE kind != 'lima_metropolitana' ORDER BY sort_order"
COLUMNS = {  # what each table's rows fill, in order
    "people": "id telegram_id username telegram_name full_name region_code institution position"
        " sex role locale consent_at registered_at active blocked_at created_at erased_at",
    "workshops": "id code title topic starts_at ends_at region_code place facilitator capacity"
        " survey_closes_at created_by created_at surveys_sent_at reminders_sent_at results_sent_at",
    "workshop_attendance": "workshop_id person_id checked_in_at",
    "workshop_ratings": "workshop_id person_id overall content facilitation usefulness"
        " organization comment completed_at updated_at",
    "meetings": "id code title kind starts_at ends_at place link agenda audience reminder_offsets"
        " status version agreements created_by created_at",
    "meeting_invitations": "meeting_id person_id rsvp delegate_name delegate_position responded_at"
        " attended_at invited_at",
    "cases": "id person_id region_code province kind stratum supported description"
        " formalization_step status created_at updated_at closed_at",
    "case_events": "case_id person_id kind from_value to_value at",
    "article_views": "article_id person_id source at",
    "questions": "id person_id text normalized answer_article_id confident useful at",
    "article_feedback": "article_id person_id question_id useful at",
    "escalations": "question_id person_id region_code text status answer answered_by created_at"
        " answered_at",
}  # fmt: skip


def stamp(ts: float) -> str:
    """Epoch seconds as UTCDateTime stores them on SQLite."""
    return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(int(ts)))


def check_stamps() -> None:
    """Our fast formatting must be byte for byte what SQLAlchemy would have written."""
    from sqlalchemy.dialects import sqlite

    from storage.types import UTCDateTime

    dialect = sqlite.dialect()
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    for ts in (START, END, START + 12_345_678, 1_767_225_600):
        expected = bind(datetime.fromtimestamp(ts, UTC))
        assert expected == stamp(ts), (expected, stamp(ts))


class Draws:
    """A seeder's connection, random generator and people by region; how it writes and draws."""

    def __init__(self, connection: sqlite3.Connection, people: int, seed: int) -> None:
        self.db = connection
        self.n = people
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.region: list[str] = [""]  # region of each person id (index 0 unused)
        # The 25 regional governments and MINEM's central level, as the migrations seeded them.
        self.regions = [code for (code,) in connection.execute(REGIONS_SQL)]
        self.by_region: dict[str, list[int]] = {code: [] for code in self.regions}
        self.specialists: list[int] = []

    def snapshot(self, *tables: str, columns: str = "region_code, sex") -> None:
        """Each row's region and sex (`columns`) as its person's now (`take_snapshot`; no one
        moves here)."""
        for table in tables:
            self.db.execute(
                f"UPDATE {table} SET ({columns}) = "
                f"(SELECT {columns} FROM people WHERE people.id = {table}.person_id)"
            )

    def insert(self, table: str, rows: Iterable[Row]) -> None:
        started = time.perf_counter()
        names = COLUMNS[table].split()
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        source = iter(rows)
        while batch := list(islice(source, CHUNK)):
            self.db.executemany(sql, batch)
            self.counts[table] = self.counts.get(table, 0) + len(batch)
        self.seconds[table] = time.perf_counter() - started

    def when(self, first: int = START, last: int = END) -> int:
        return first + int((last - first) * self.rng.random())

    def moments(self, count: int) -> Iterator[int]:
        """`count` random moments over 2025–2026 in time order, as a live table grows."""
        slices = -(-count // CHUNK)
        for index in range(slices):
            first = START + (END - START) * index // slices
            last = START + (END - START) * (index + 1) // slices
            k = count // slices + (index < count % slices)
            yield from sorted(self.when(first, last) for _ in range(k))

    def person(self) -> int:
        return 1 + int(self.n * self.rng.random())

    def pick(self, options: Choice, k: int = 1) -> list[Any]:
        return self.rng.choices(options[0], weights=options[1], k=k)

    def one(self, options: Choice) -> Any:
        return self.rng.choices(options[0], weights=options[1])[0]

    def split(self, total: int, parts: int) -> list[int]:
        """`parts` random sizes (0.2 to 1.8 times the mean) adding up to `total`."""
        weights = [self.rng.uniform(0.2, 1.8) for _ in range(parts)]
        sizes = [int(total * w / sum(weights)) for w in weights]
        for index in range(total - sum(sizes)):
            sizes[index % parts] += 1
        return sizes

    def sample_people(self, k: int, regions: Sequence[str], local: float) -> list[int]:
        """`k` distinct people, about `local` of them from `regions`."""
        k = min(k, self.n)
        pool = [p for code in regions for p in self.by_region.get(code, ())]
        chosen = set(self.rng.sample(pool, min(len(pool), int(k * local))))
        while len(chosen) < k:
            chosen.add(self.person())
        return sorted(chosen)

    def codes(self, count: int) -> list[str]:
        taken: set[str] = set()
        while len(taken) < count:
            taken.add("".join(self.rng.choices(CODE_ALPHABET, k=6)))
        return sorted(taken, key=lambda _code: self.rng.random())
