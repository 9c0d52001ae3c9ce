"""GET /metrics (issue #15): scraped over HTTP in polling mode (METRICS_PORT) and in webhook
mode (the webhook's own server), after a few updates: the counters moved."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.local_api.faults import Fault
from bot.runner import minka
from bot.runtime import Runtime
from bot.webhook import serving
from storage.repositories import outbox
from storage.types import utcnow
from tests.chat import Person
from tests.conftest import ADMIN_ID, TOKEN
from tests.helpers import registered_official
from tests.postgres import _free_port
from tests.test_webhook import webhook_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> Samples:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        body = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


async def served(url: str) -> set[str]:
    """The metric names the endpoint declares (`# TYPE name …`), with or without samples yet."""
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        body = await response.text()
    return set(re.findall(r"^# TYPE (\S+) ", body, flags=re.MULTILINE))


def readme_metrics() -> tuple[set[str], list[dict[str, str]]]:
    """The names in README «Metrics»' table, and its alert rules (the YAML block)."""
    section = README.split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    table = set(re.findall(r"^\| `(minka_\w+)[{`]", section, flags=re.MULTILINE))
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    [group] = yaml.safe_load(block)["groups"]
    return table, group["rules"]


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(
        value for (sample, have), value in samples.items() if sample == name and wanted <= have
    )


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+aiosqlite:///{tmp_path / 'minka.sqlite3'}"


async def test_polling_mode_serves_metrics_on_metrics_port(
    api: LocalBotApi, sqlite_url: str
) -> None:
    port = _free_port()
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=sqlite_url,
        bot_admin_ids=frozenset({ADMIN_ID}),
        outbox_interval_seconds=3600,
        host="127.0.0.1",
        metrics_port=port,
        _env_file=None,
    )
    url = f"http://127.0.0.1:{port}/metrics"
    async with minka(settings, poll_timeout=1) as application:
        runtime: Runtime = application.bot_data["runtime"]
        async with runtime.db.session() as session:
            person_id = await registered_official(session, 51001, "Ana")
            await outbox.enqueue(
                session,
                kind="broadcast",
                dedupe_key="metrics-test",
                person_id=person_id,
                payload={},
                due_at=utcnow() + timedelta(days=1),
            )
        before = await scrape(url)
        ana = Person(api, 51001, "Ana")
        api.open_chat(ana.id)
        await ana.say("/perfil")
        api.inject("sendMessage", Fault.too_many_requests(1))  # the next reply waits 1 s
        await ana.say("/perfil", timeout=15)
        with pytest.raises(Exception, match="no such table"):
            async with runtime.db.session() as session:
                await session.execute(text("SELECT * FROM no_such_table"))
        after = await scrape(url)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("minka_updates_handled_total", handler="/perfil", outcome="ok") == 2
    assert moved("minka_update_handling_seconds_count", handler="/perfil") == 2
    assert moved("minka_bot_api_calls_total", method="sendMessage", result="200") >= 2
    assert moved("minka_bot_api_calls_total", method="sendMessage", result="429") == 1
    assert moved("minka_bot_api_flood_limited_total", method="sendMessage") == 1
    assert moved("minka_database_errors_total", error="OperationalError") == 1
    assert total(after, "minka_outbox_messages", kind="broadcast", state="pending") == 1
    assert total(after, "minka_replicas_alive") == 1


async def test_webhook_mode_serves_metrics_beside_healthz(
    api: LocalBotApi, database_url: str
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with serving(webhook_settings(api, database_url, port)):
        api.deliver_webhooks([f"{base}/telegram"])
        before = await scrape(f"{base}/metrics")
        rosa = Person(api, 51002, "Rosa")
        await rosa.say("/start", 2)
        after = await scrape(f"{base}/metrics")
        names = await served(f"{base}/metrics")
    handled = total(after, "minka_updates_handled_total", handler="/start", outcome="ok")
    assert handled - total(before, "minka_updates_handled_total", handler="/start") == 1
    assert total(after, "minka_replicas_alive") == 1
    assert total(after, "minka_bot_api_calls_total", method="setWebhook", result="200") >= 1
    table, _rules = readme_metrics()
    assert len(table) == 8 and not table - names, table - names  # every series, this mode too


def test_readme_alert_rules_use_served_metrics() -> None:
    """Issue #15's alert rules: valid YAML, each with a name, an expression and a duration,
    and naming only metrics of README's table (which the tests above find served)."""
    table, rules = readme_metrics()
    assert [rule["alert"] for rule in rules] == ["MinkaFailing", "MinkaOutboxStuck", "MinkaDown"]
    for rule in rules:
        named = set(re.findall(r"minka_\w+", rule["expr"]))
        assert named and named <= table, named - table
        assert re.fullmatch(r"\d+m", rule["for"])
