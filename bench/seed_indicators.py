"""A synthetic, migrated SQLite database for the indicators bench (`python -m bench.indicators`).

At 100,000 people: 1,000 workshops (2025–2026) with 250,000 check-ins and 200,000 completed
ratings (plus 5,000 started, not finished), 500 meetings with 50,000 invitations, 50,000 cases
with their events, 1,000,000 article views, 50,000 questions, 20,000 feedback answers and 2,000
escalations. Every count scales with the number of people; a fixed seed makes runs repeatable.

The schema comes from the project's migrations. Rows go in on a plain sqlite3 connection
(bench.seed_draws: how they are written and drawn), one transaction per family of tables, with
the migrated indexes dropped meanwhile and created again at the end by the very same statements.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from bench.seed_draws import DAY, END, HOUR, START, Choice, Draws, Row, check_stamps, stamp
from bot.services import cases, meetings, profile
from bot.services.provinces import provinces_of

SEED = 20260101
BASE_PEOPLE = 100_000
BUSY_REGIONS = ("puno", "arequipa", "la-libertad", "cajamarca")  # three times the people
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


def scaled(base: int, people: int) -> int:
    return max(1, round(base * people / BASE_PEOPLE))


class Seeder(Draws):
    """The programme's rows, family by family."""

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
