"""Issue #15 (audit): a port Minka cannot take ends `run` in one Spanish line naming the
variable and the fix, exit 2, as every other start-up mistake. Before, METRICS_PORT or the
webhook's PORT held by another program (or a Minka still stopping) ended in asyncio's traceback.

The real CLI in a subprocess, against the local Bot API server, with the port really held."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.local_api import LocalBotApi
from tests.conftest import TOKEN

SECRET = "s" * 40


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


async def _run(api: LocalBotApi, tmp_path: Path, *args: str, **settings: str) -> tuple[int, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BOT_", "DATABASE_", "WEBHOOK_", "METRICS_"))
        and k not in ("HOST", "PORT")
    }
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'minka.sqlite3'}",
        **settings,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def _the_line(stderr: str, variable: str) -> str:
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"{variable}: el puerto "), stderr
    assert [line for line in stderr.splitlines() if line.startswith(variable)] == [last]
    return last


async def test_metrics_port_in_use(api: LocalBotApi, held_port: int, tmp_path: Path) -> None:
    code, stderr = await _run(api, tmp_path, HOST="127.0.0.1", METRICS_PORT=str(held_port))
    line = _the_line(stderr, "METRICS_PORT")
    assert f"el puerto {held_port} de 127.0.0.1 ya está en uso" in line
    assert "elija otro puerto en METRICS_PORT" in line
    assert code == 2  # a fix is needed: systemd does not insist (RestartPreventExitStatus=2)


async def test_webhook_port_in_use(api: LocalBotApi, held_port: int, tmp_path: Path) -> None:
    code, stderr = await _run(
        api,
        tmp_path,
        "--webhook",
        HOST="127.0.0.1",
        PORT=str(held_port),
        WEBHOOK_URL="https://minka.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
    )
    line = _the_line(stderr, "PORT")
    assert "ya está en uso" in line and "elija otro puerto en PORT" in line
    assert code == 2


async def test_an_address_not_of_this_machine(api: LocalBotApi, tmp_path: Path) -> None:
    """192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this server."""
    code, stderr = await _run(api, tmp_path, HOST="192.0.2.1", METRICS_PORT="9464")
    line = _the_line(stderr, "METRICS_PORT")
    assert "192.0.2.1 no es una dirección de este servidor" in line and "corrija HOST" in line
    assert code == 2


async def test_a_host_that_is_no_address(api: LocalBotApi, tmp_path: Path) -> None:
    code, stderr = await _run(api, tmp_path, HOST="servidor.invalid", METRICS_PORT="9464")
    assert "Traceback" not in stderr and code == 2
    assert stderr.strip().splitlines()[-1] == (
        "HOST: «servidor.invalid» no es una dirección de este servidor ni un nombre conocido: "
        "corrija HOST (0.0.0.0: todas sus direcciones; 127.0.0.1: solo este servidor)."
    )
