"""A storm of random updates against the running Minka, through the local Bot API server.

An official (Ana, Puno) and a stranger who never accepted the notice send batches of random
updates: texts with emoji, right-to-left and zero-width characters, NUL and the other C0 and C1
control characters, bidi overrides, 4,096-character messages,
HTML and Markdown injection, SQL-looking text, unknown commands and real commands with junk
arguments, stale, forged and malformed button presses (real prefixes with other people's ids,
odd or very long data, pressed in groups, on inline or inaccessible messages), edited messages,
messages in groups, and stickers, photos, voice notes and documents where text was expected.
The world they storm is seeded in tests/storm.py; tests/storm_updates.py delivers the updates.

The storm runs on SQLite and on PostgreSQL, which refuses NUL bytes in text (issue #18:
SQLite accepted them, so a storm on SQLite alone stayed green while PostgreSQL failed), and
once more on PostgreSQL with 429 on every third message Minka sends (no error logged either).

After each batch, once Minka is idle: no error was logged (an invalid HTML message would have
been refused by the server and logged too), every press was answered, nothing typed reached a
message unescaped (markers such as "<b>INJECT" never appear in what Minka sent), nothing was
sent to anyone else, no row of anyone else changed, and Ana is still an official.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from telegram.ext import Application

import handlers
from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from tests.storm import STORM_SETTINGS, seed, snapshot
from tests.storm_updates import Storm, check_outcome

EXAMPLES = 65  # batches of 20 to 60 updates: about 2,000 updates, 1 to 2 minutes
POSTGRES_EXAMPLES = 40  # about 1,100 updates more on PostgreSQL, under a minute
FLOOD_EXAMPLES = 4  # with 429 on every third message (each costs a 1 s wait): about a minute
PREFIXES = sorted({route.prefix for route in handlers.all_buttons()})
COMMANDS = sorted(command.name for command in handlers.all_commands())
REFS = [
    *(f"@{kind}_{who}" for kind in ("case", "question", "escalation", "person", "tg")
      for who in ("ana", "luis", "carla")),
    *(f"@workshop_{name}" for name in ("piura", "puno", "future")),
    "@meeting_piura", "@meeting_puno", "@broadcast",
]  # fmt: skip
CODES = ["@workshop_code_piura", "@workshop_code_puno", "@meeting_code_piura", "ZZZZZZ", ""]
ACTIONS = [
    "view", "status", "cancel", "step", "setstep", "mine", "regions", "menu", "new", "start",
    "skip", "yes", "no", "delegate", "ans", "erase", "edit", "page", "back", "confirm",
    "language", "a", "t", "u", "g", "gt", "topics", "main", "cases", "workshops", "meetings",
    "profile", "help", "xlsx", "name", "region", "institution", "position", "sex", "overall",
    "content", "usefulness", "kind", "province", "stratum", "description", "in_progress",
    "resolved", "archived", "formalized", "reinfo", "en", "qu", "tg", "-", "0", "1", "5", "9",
    "ambiente-mercurio", "formalizacion",
]  # fmt: skip
NUMBERS = ["0", "-1", "007", "99999", "9" * 20, "9" * 60, "²", "١٢", "𝟙", "1e3", " 1", "+1"]
INJECTIONS = [
    "<b>INJECT</b>", "<i>INJECT", "</a>", '<a href="javascript:alert(1)">x</a>', "<script>",
    "&", "&amp;", "&#", "<", ">", "*_[", "`", "[x](tg://user?id=1002)", "'; DROP TABLE cases; --",
    '" OR 1=1 --', "%s", "%(name)s", "{name}", "{0}", "{", "}", "\\",
]  # fmt: skip
UNICODE = ["👩🏽‍🌾", "⛏️", "🇵🇪", "مرحبا", "שלום", "\u202e", "\u200b", "\u200c\u200d", "\ufeff",
           "e\u0301", "𝕄𝕚𝕟𝕜𝕒", "²", "١٢٣", "Ⅻ", "\n", " ", "\t"]  # fmt: skip
# NUL (PostgreSQL refuses it in text), the other C0 controls, DEL, C1 controls, bidi
# embeddings, overrides and isolates, noncharacters.
CONTROLS = ["\x00", "\x00\x01\x02", "\x07", "\x08", "\x0b", "\x0c", "\r", "\r\n", "\x1b[31m",
            "\x1f", "\x7f", "\x80", "\x85", "\x9b", "\x9f", "\u202a", "\u202d", "\u2066",
            "\u2069", "\ufffe", "\uffff"]  # fmt: skip
WORDS = [
    "Puno", "Piura", "Sí", "no", "REINFO", "Analista", "Gobierno Regional", "Mujer", "Omitir",
    "2026-12-03 09:00", "13:00", "4h", "50", "Azángaro", "formalización", "¿Qué es el REINFO?",
    "IGAFOM", "Carla Ríos", "Especialista legal", "ok",
]  # fmt: skip

fragment = st.one_of(
    st.sampled_from(INJECTIONS + UNICODE + CONTROLS + WORDS + REFS + NUMBERS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),  # controls included
)
short_text = st.lists(fragment, min_size=1, max_size=8).map("".join)
long_text = st.builds(lambda piece: piece * 4096, st.sampled_from(["x", "&<", "👩🏽‍🌾", "ñ "]))
texts = st.one_of(short_text, short_text, short_text, long_text)
command_names = [*COMMANDS, "start", "foo", "Casos", "casos@minka_test_bot", "casos@otro_bot",
                 "x" * 40, "start@minka_test_bot", "help"]  # fmt: skip
payloads = st.builds(
    "{}{}".format, st.sampled_from(["taller-", "reunion-"]), st.sampled_from(CODES)
)
commands = st.builds(
    lambda name, args: f"/{name} {args}",
    st.sampled_from(command_names),
    st.one_of(short_text, payloads, st.just("")),
)
part = st.one_of(*(st.sampled_from(values) for values in (ACTIONS, REFS, NUMBERS)), fragment)
callback_data = st.one_of(
    st.builds(
        lambda prefix, parts: ":".join([prefix, *parts]),
        st.sampled_from([*PREFIXES, "", "zz", "CS", "cs "]),
        st.lists(part, max_size=4),
    ),
    st.sampled_from(["", ":", "cs::", "x" * 64, "x" * 300, "cs:view:" + "9" * 56]),
)
who = st.sampled_from(["ana", "ana", "ana", "stranger"])
chat = st.sampled_from(["private"] * 6 + ["group"])
kinds = st.sampled_from(["sticker", "photo", "voice", "document", "location", "contact"])
hows = st.sampled_from(
    ["monkey"] * 4 + ["forged"] * 2 + ["raw", "inaccessible", "inline", "game", "group"]
)
text_update = st.tuples(st.just("text"), who, chat, texts)
command_update = st.tuples(st.just("text"), who, chat, commands)
press = st.tuples(st.just("press"), who, hows, callback_data, st.integers(0, 99))
media = st.tuples(st.just("media"), who, chat, kinds, st.none() | texts)
update = st.one_of(
    *[text_update] * 4,
    *[command_update] * 3,
    st.tuples(st.just("edit"), who, texts),
    *[media] * 2,
    *[press] * 6,
    st.just(("wait",)),
)


@pytest.fixture
async def storm(api: LocalBotApi, app: Application, runtime: Runtime) -> AsyncIterator[Storm]:
    storm = Storm(api, app, await seed(api, app, runtime))
    async with runtime.db.session() as session:
        storm.before = await snapshot(session, storm.world)
    started = time.monotonic()
    yield storm
    print(f"\nrandom input: {storm.sent} updates in {time.monotonic() - started:.0f} s")


async def check(storm: Storm, records: list[logging.LogRecord]) -> None:
    errors = [
        f"{r.name}: {r.getMessage()}\n{logging.Formatter().formatException(r.exc_info)}"
        if r.exc_info
        else f"{r.name}: {r.getMessage()}"
        for r in records
        if r.levelno >= logging.ERROR
    ]
    assert not errors, "\n".join(errors)
    await check_outcome(storm)


FORGED = [
    "cs:view:@case_luis", "cs:status:@case_luis:archived", "cs:setstep:@case_carla:formalized",
    "cs:view:²", "cs:view:" + "9" * 56, "cs:mine:" + "9" * 30, "rate:@workshop_piura:overall:9",
    "rate:@workshop_puno:overall:5", "rate:" + "9" * 40 + ":start", "mt:@meeting_piura:yes",
    "mt:@meeting_puno:delegate", "mt:²:yes", "ask:@question_luis", "ask:" + "9" * 30,
    "kb:u:ambiente-mercurio:0:@question_luis", "kb:u:ambiente-mercurio:1:" + "9" * 30,
    "kb:t:formalizacion:" + "9" * 30, "ex:ans:@escalation_luis", "reg:page:" + "9" * 30,
    "prof:page:" + "9" * 30, "nc:page:" + "9" * 30, "consent:yes:taller-@workshop_code_piura",
]  # fmt: skip


HOSTILE = [  # issue #18: every way a NUL or a control character can reach Minka
    ("text", "ana", "private", "\x00\x01\x02"),
    ("text", "ana", "private", "¿Qué es el\x00 REINFO?\x85\u202e"),
    ("text", "stranger", "private", "\x00/start\u2066"),
    ("text", "ana", "private", "/buscar canon\x00\x9f minero"),
    ("media", "ana", "private", "photo", "\x00\x1b[31m\x9f ¿REINFO?"),
    ("edit", "ana", "\x00\u202dx"),
    ("text", "ana", "private", "/casos"),
    ("wait",),
    ("press", "ana", "monkey", "", 0),
    ("wait",),
    ("text", "ana", "private", "Caso\x00 de\r\nAnanea\x07"),
    ("press", "ana", "forged", "cs:view:@case_ana\x00", 0),
    ("press", "ana", "raw", "kb:t:formalizacion\x00\x85", 0),
    ("text", "ana", "private", "/perfil"),
    ("wait",),
    ("press", "ana", "monkey", "", 0),
    ("wait",),
    ("text", "ana", "private", "Ana\x00 Quispe\u202e"),
]


def storm_test(examples: int, database: str, seconds: float, *, flood_control: bool = False) -> Any:
    """The storm as a test on one kind of database, with `examples` random batches; with
    `flood_control`, every third message Minka sends gets 429 (issue #18: replies that still
    get it after the retries wait in the outbox, with a warning, never an error). `seconds`:
    its wall time alone, for the order tests start in (tests/scheduling.py)."""

    @pytest.mark.long(seconds)
    @pytest.mark.parametrize("database_url", [database], indirect=True)
    @settings(max_examples=examples, **STORM_SETTINGS)
    @given(batch=st.lists(update, min_size=20, max_size=60))
    @example(batch=HOSTILE)
    @example(batch=[("press", "ana", "forged", data, 0) for data in FORGED])
    @example(
        batch=[("press", "stranger", how, data, 0) for data in FORGED for how in ("raw", "group")]
    )
    @example(
        batch=[
            ("text", "ana", "private", "/casos"),
            ("wait",),
            ("press", "ana", "monkey", "", 1),
            ("wait",),
            ("press", "ana", "monkey", "", 0),
            ("text", "ana", "private", "<b>INJECT</b> & {name} %s " * 300),
            ("edit", "ana", "<i>INJECT"),
            ("media", "ana", "private", "sticker", None),
            ("media", "stranger", "group", "document", "<b>INJECT</b>"),
            ("text", "stranger", "group", "/start@minka_test_bot <script>"),
            ("press", "ana", "inaccessible", "cs:view:@case_ana", 3),
            ("press", "ana", "inline", "cs:view:@case_ana", 3),
        ]
    )
    async def test(
        batch: list[tuple[Any, ...]], storm: Storm, caplog: pytest.LogCaptureFixture
    ) -> None:
        if flood_control:
            storm.api.inject_every("sendMessage", Fault.too_many_requests(1), 3)
        for drawn in batch:
            await storm.send(drawn)
        await storm.settle()
        await check(storm, caplog.records)

    return test


test_random_updates_break_nothing = storm_test(EXAMPLES, "sqlite", 55)
test_random_updates_break_nothing_on_postgresql = storm_test(POSTGRES_EXAMPLES, "postgresql", 50)
test_random_updates_under_flood_control = storm_test(
    FLOOD_EXAMPLES, "postgresql", 73, flood_control=True
)
