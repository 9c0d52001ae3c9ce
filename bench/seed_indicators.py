"""A synthetic, migrated SQLite database for the indicators bench (`python -m bench.indicators`).

At 100,000 people: 1,000 workshops (2025–2026) with 250,000 check-ins and 200,000 completed
ratings (plus 5,000 started, not finished), 500 meetings with 50,000 invitations, 50,000 cases
with their events, 1,000,000 article views, 50,000 questions, 20,000 feedback answers and 2,000
escalations. Every count scales with the number of people; a fixed seed makes runs repeatable.

The schema comes from the project's migrations. Rows go in with `executemany` on a plain sqlite3
connection, one transaction per family of tables, with the migrated indexes dropped meanwhile
and created again at the end by the very same statements. Datetimes are written exactly as
`storage.types.UTCDateTime` writes them on SQLite (naive UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'),
which `check_stamps()` verifies against the type's own bind processor.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from bot.services import cases, meetings, profile
from bot.services.provinces import provinces_of

SEED = 20260101
BASE_PEOPLE = 100_000
BUSY_REGIONS = ("puno", "arequipa", "la-libertad", "cajamarca")  # three times the people
Choice = tuple[tuple[Any, ...], tuple[float, ...]]
SEXES: Choice = (tuple(profile.SEXES), (45, 50, 5))
INSTITUTIONS: Choice = (("gr", "regional_team", "other"), (70, 20, 10))
ROLES: Choice = (("official", "specialist", "coordinator"), (98.7, 1, 0.3))
ARTICLES = [f"a{n:03d}" for n in range(1, 64)]
ARTICLE_WEIGHTS = [1 / n**0.8 for n in range(1, 64)]  # a few articles are read far more
SOURCES: Choice = (("search", "browse", "inline"), (50, 35, 15))
MEETING_KINDS: Choice = (tuple(meetings.KINDS), (45, 15, 30, 10))
RSVPS: Choice = (("yes", "no", "delegate", "pending"), (55, 10, 10, 25))
# formalization, fiscalization, environmental, promotion, social_conflict, technical_query, other
CASE_KINDS: Choice = (tuple(cases.KINDS), (42, 15, 10, 8, 7, 13, 5))
STRATA, STEPS = tuple(cases.STRATA), tuple(cases.STEPS)  # the last stratum: not applicable
# open, in_progress, resolved, referred, archived
STATUSES: Choice = (tuple(cases.STATUSES), (20, 35, 30, 8, 7))
STATUS_PATHS = {"open": [], "in_progress": ["in_progress"], "archived": ["archived"]}
MARKS: Choice = ((1, 2, 3, 4, 5), (3, 5, 15, 40, 37))
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


def scaled(base: int, people: int) -> int:
    return max(1, round(base * people / BASE_PEOPLE))


class Seeder:
    def __init__(self, connection: sqlite3.Connection, people: int, seed: int = SEED) -> None:
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

    def people(self) -> None:
        rng, n = self.rng, self.n
        weights = [3 if code in BUSY_REGIONS else 1 for code in self.regions]
        regions = rng.choices(self.regions, weights=weights, k=n)
        sexes, institutions = self.pick(SEXES, n), self.pick(INSTITUTIONS, n)
        roles = self.pick(ROLES, n)
        self.region += regions
        for pid, (region, role) in enumerate(zip(regions, roles, strict=True), start=1):
            self.by_region[region].append(pid)
            if role == "specialist":
                self.specialists.append(pid)
        self.specialists = self.specialists or [1]

        def rows() -> Iterator[Row]:
            for i in range(1, n + 1):
                joined = stamp(START - 30 * DAY + int((END - START) * rng.random() ** 1.5))
                erased = rng.random() < 0.01  # /borrar_mis_datos: region, sex... are kept
                name = None if erased else f"Persona {i}"
                region = regions[i - 1]
                institution = "minem" if region == "minem" else institutions[i - 1]
                username = None if erased or rng.random() < 0.4 else f"persona{i}"
                blocked = stamp(self.when()) if rng.random() < 0.02 else None
                yield (
                    i, None if erased else 10_000_000 + i, username, name, name, region,
                    institution, None if erased else "Especialista", sexes[i - 1], roles[i - 1],
                    "es", joined, joined, not erased, blocked, joined,
                    stamp(END - DAY) if erased else None,
                )  # fmt: skip

        self.insert("people", rows())

    def workshops(self) -> None:
        rng = self.rng
        count, ratings = scaled(1_000, self.n), scaled(200_000, self.n)
        sizes = self.split(ratings * 5 // 4, count)  # check-ins; 80 % of them rate
        workshops, attendance = [], []
        for wid, code in enumerate(self.codes(count), start=1):
            starts = self.when(START, END - 2 * DAY)
            ends = starts + rng.choice((3, 4, 6, 8)) * HOUR
            region = None if rng.random() < 0.05 else rng.choice(self.regions)
            workshops.append((
                wid, code, f"Taller {wid}", "Formalización minera", stamp(starts), stamp(ends),
                region, "Auditorio DREM", "Equipo MINEM", 300, stamp(ends + 7 * DAY),
                self.person(), stamp(starts - 20 * DAY), stamp(ends), None, None,
            ))  # fmt: skip
            people = self.sample_people(sizes[wid - 1], [region or ""], 0.7)
            attendance += [(wid, p, starts, ends) for p in people]
        self.insert("workshops", workshops)
        self.insert(
            "workshop_attendance",
            ((w, p, stamp(s + rng.randrange(-1800, 2 * HOUR))) for w, p, s, _e in attendance),
        )
        order = list(range(len(attendance)))
        rng.shuffle(order)
        completed = set(order[: min(ratings, len(order))])
        started = set(order[len(completed) : len(completed) + ratings // 40])  # not finished

        def rows() -> Iterator[Row]:
            for index in sorted(completed | started):
                wid, pid, _starts, ends = attendance[index]
                done = index in completed
                overall = self.one(MARKS)
                marks = [max(1, min(5, overall + rng.choice((-1, 0, 0, 0, 1)))) for _ in "cfuo"]
                at = stamp(ends + rng.randrange(10 * 60, 6 * DAY))
                comment = "Muy útil" if done and rng.random() < 0.1 else None
                marks = marks if done else [None] * 4
                yield (wid, pid, overall, *marks, comment, at if done else None, at)

        self.insert("workshop_ratings", rows())
        self.snapshot("workshop_attendance", "workshop_ratings")

    def meetings(self) -> None:
        rng = self.rng
        count = scaled(500, self.n)
        sizes = self.split(scaled(50_000, self.n), count)
        offsets = json.dumps({"seconds": [7 * DAY, DAY, 2 * HOUR]})
        meetings, invitations = [], []
        for mid, code in enumerate(self.codes(count), start=1):
            starts = self.when()
            created = starts - rng.randrange(3 * DAY, 30 * DAY)
            cancelled = rng.random() < 0.06
            regions = [*sorted(set(rng.choices(self.regions[:-1], k=rng.randint(1, 3)))), "minem"]
            audience = {"everyone": False, "regions": regions, "institutions": [], "roles": []}
            meetings.append((
                mid, code, f"Reunión {mid}", self.one(MEETING_KINDS), stamp(starts),
                stamp(starts + 2 * HOUR), "Sala MINEM", None, "Agenda",
                json.dumps({**audience, "telegram_ids": []}), offsets,
                "cancelled" if cancelled else "scheduled", rng.choice((1, 1, 2)), None,
                self.person(), stamp(created),
            ))  # fmt: skip
            for pid in self.sample_people(sizes[mid - 1], regions, 0.8):
                rsvp = self.one(RSVPS)
                came = not cancelled and rsvp in ("yes", "delegate") and rng.random() < 0.85
                delegate = rsvp == "delegate"
                invitations.append((
                    mid, pid, rsvp, "Delegado" if delegate else None,
                    "Asistente" if delegate else None,
                    None if rsvp == "pending" else stamp(created + rng.randrange(DAY)),
                    stamp(starts + rng.randrange(-600, 1800)) if came else None, stamp(created),
                ))  # fmt: skip
        self.insert("meetings", meetings)
        self.insert("meeting_invitations", invitations)
        self.snapshot("meeting_invitations")

    def cases(self) -> None:
        """~40 % formalization cases with a step; events: created, status changes, a step."""
        rng = self.rng
        events: list[Row] = []

        def rows() -> Iterator[Row]:
            for cid in range(1, scaled(50_000, self.n) + 1):
                pid, kind, status = self.person(), self.one(CASE_KINDS), self.one(STATUSES)
                while self.region[pid] == cases.CENTRAL:  # MINEM's people register no cases
                    pid = self.person()
                formal = kind == "formalization"
                stratum = rng.choice(STRATA[:3] if formal else STRATA)
                step = rng.choice(STEPS) if formal and rng.random() < 0.95 else None
                created = at = self.when(START, END - 10 * DAY)
                events.append((cid, pid, "created", None, "open", stamp(at)))
                path = STATUS_PATHS.get(status, ["in_progress", status])
                if status == "archived" and rng.random() < 0.5:
                    path = ["in_progress", "archived"]
                for before, after in zip(["open", *path], path, strict=False):
                    at += rng.randrange(HOUR, 40 * DAY)
                    events.append((cid, pid, "status", before, after, stamp(at)))
                closed = stamp(at) if status in cases.CLOSED else None
                if step and rng.random() < 0.6:
                    index = STEPS.index(step)
                    at += rng.randrange(HOUR, 20 * DAY)
                    previous = STEPS[index - 1] if index else None
                    events.append((cid, pid, "step", previous, step, stamp(at)))
                province = rng.choice((None, *provinces_of(self.region[pid])))
                yield (
                    cid, pid, self.region[pid], province, kind, stratum, rng.random() < 0.6,
                    "Caso de prueba", step, status, stamp(created), stamp(at), closed,
                )  # fmt: skip

        self.insert("cases", rows())
        self.snapshot("cases", columns="sex")
        self.insert("case_events", events)

    def toolkit(self) -> None:
        rng, n = self.rng, self.n

        def views() -> Iterator[Row]:
            total = scaled(1_000_000, n)
            articles = rng.choices(ARTICLES, weights=ARTICLE_WEIGHTS, k=total)
            sources = self.pick(SOURCES, total)
            for index, at in enumerate(self.moments(total)):
                person = None if rng.random() < 0.15 else 1 + int(n * rng.random())
                yield articles[index], person, sources[index], stamp(at)

        self.insert("article_views", views())
        asked: list[tuple[int, int, int]] = []  # (question id, person id, at) with a person

        def questions() -> Iterator[Row]:
            for qid, at in enumerate(self.moments(scaled(50_000, n)), start=1):
                person = None if rng.random() < 0.1 else self.person()
                topic = rng.randrange(2_000)
                answer = rng.choice(ARTICLES) if rng.random() < 0.7 else None
                if person is not None:
                    asked.append((qid, person, at))
                yield (
                    qid, person, f"¿Cómo avanzo con el trámite {topic}?",
                    f"como avanzo con el tramite {topic}", answer,
                    answer is not None and rng.random() < 0.8,
                    rng.choice((None, None, True, False)) if answer else None, stamp(at),
                )  # fmt: skip

        self.insert("questions", questions())
        feedback: dict[tuple[str, int, int | None], int] = {}  # one per article, person, question
        while len(feedback) < scaled(20_000, n):
            if rng.random() < 0.5 and asked:
                qid, person, at = rng.choice(asked)
                feedback[(rng.choice(ARTICLES), person, qid)] = at + rng.randrange(30, 600)
            else:
                feedback[(rng.choice(ARTICLES), self.person(), None)] = self.when()
        self.insert(
            "article_feedback",
            ((*key, rng.random() < 0.75, stamp(at)) for key, at in feedback.items()),
        )

        def escalations() -> Iterator[Row]:
            for qid, person, at in sorted(rng.sample(asked, min(len(asked), scaled(2_000, n)))):
                created = at + rng.randrange(60, 1800)
                answered = rng.random() < 0.85
                delay = int(HOUR * min(72, rng.lognormvariate(1.2, 0.8)))  # median ~3.3 h
                yield (
                    qid, person, self.region[person], "No encuentro la respuesta",
                    "answered" if answered else "pending",
                    "Respuesta del especialista" if answered else None,
                    rng.choice(self.specialists) if answered else None, stamp(created),
                    stamp(created + delay) if answered else None,
                )  # fmt: skip

        self.insert("escalations", escalations())
        self.snapshot("article_views", "questions", "article_feedback")
        self.snapshot("escalations", columns="sex")


def seed(path: Path, people: int, seed: int = SEED) -> Seeder:
    """Fill the empty, migrated database at `path`; the seeder keeps row counts and timings."""
    check_stamps()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("foreign_keys=ON", "synchronous=OFF", "cache_size=-262144"):
            connection.execute(f"PRAGMA {pragma}")
        # Indexes are built once at the end (a sort) rather than row by row, several times
        # faster; the same CREATE INDEX statements run again, so the schema is the migrated one.
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        seeder = Seeder(connection, people, seed)
        connection.execute("BEGIN")
        for name, _sql in indexes:
            connection.execute(f"DROP INDEX {name}")
        for step in (seeder.people, seeder.workshops, seeder.meetings, seeder.cases):
            step()
            connection.execute("COMMIT")
            connection.execute("BEGIN")
        seeder.toolkit()
        started = time.perf_counter()
        for _name, sql in indexes:
            connection.execute(sql)
        seeder.seconds["(indexes)"] = time.perf_counter() - started
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return seeder
