"""What Minka shows of people outside its chats, read before and after an erasure: the CLI's
listings and the indicator report's files (`python -m bot ...`, as the operator runs them, in
a subprocess), and the Prometheus metrics (GET /metrics) of the running bot."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import generate_latest

from bot.config import Settings
from tests.cli import minka

# Every order that lists people or what they wrote, or writes a file of them.
LISTINGS = (
    ("admin", "listar-roles"),
    ("reuniones", "listar"),
    ("visitas", "listar"),
    ("kb", "sin-respuesta"),
    ("kb", "ejemplos"),
)


async def cli_outputs(
    settings: Settings, folder: Path, year: int, *, only: int | None = None
) -> list[str]:
    """What each listing prints (the first `only` of them: no report), and each file of the
    year's report (CSV), as 'order: text'."""
    outputs = []
    for order in LISTINGS[:only]:
        done = await minka(settings, *order)
        assert done.returncode == 0, (order, done.stderr)
        outputs.append(f"{' '.join(order)}: {done.stdout}{done.stderr}")
    if only is not None:
        return outputs
    report = folder / "informe"
    period = ("--desde", f"{year}-01-01", "--hasta", f"{year}-12-31")
    done = await minka(settings, "informe", *period, "--formato", "csv", "--salida", str(report))
    assert done.returncode == 0, done.stderr
    files = sorted(report.iterdir())
    assert files, done.stdout
    return outputs + [f"informe {path.name}: {path.read_text()}" for path in files]


def metrics() -> str:
    """The metrics' exposition, as GET /metrics serves it (its labels included)."""
    text = generate_latest().decode()
    assert "minka_updates_handled" in text  # the bot's own metrics were read
    return text
