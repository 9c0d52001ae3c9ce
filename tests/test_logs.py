"""Structured logs: one JSON object per line with update id, user id, handler and duration,
never a person's name or what they wrote."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

import pytest

from bot.logs import JsonLines
from tests.chat import Person


async def test_each_update_is_logged_as_json_without_personal_text(
    ana: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.base")
    await ana.say("/start", 2)
    await ana.say("mi DNI es 12345678 y me llamo Ana Quispe")
    records: list[logging.LogRecord] = []
    for _ in range(100):  # the line is written just after the reply is sent
        records = [r for r in caplog.records if r.getMessage() == "update handled"]
        if len(records) == 2:
            break
        await asyncio.sleep(0.02)
    lines = [JsonLines().format(record) for record in records]
    assert len(lines) == 2
    entries = [json.loads(line) for line in lines]
    assert [entry["handler"] for entry in entries] == ["/start", "text"]
    for entry in entries:
        assert entry["user_id"] == ana.id and entry["level"] == "INFO"
        assert isinstance(entry["update_id"], int) and entry["duration_ms"] >= 0
    assert entries[0]["update_id"] < entries[1]["update_id"]
    for line in lines:
        assert "Ana" not in line and "12345678" not in line and "\n" not in line


def test_exceptions_stay_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, True)
        record.exc_info = sys.exc_info()
    line = JsonLines().format(record)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exception"]
