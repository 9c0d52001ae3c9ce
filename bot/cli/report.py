"""`python -m bot informe`: the programme's indicator report for a period, as XLSX or CSV."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.commands import migrated, minka_now
from bot.config import Settings
from bot.i18n import Translator, translator

if TYPE_CHECKING:
    from bot.services.indicators import Report
    from bot.services.indicators.periods import Period

# The indicators (numpy, every indicator's module: a third of the CLI's start-up, 0.8 CPU s)
# are imported by `informe` alone, when it runs: every other order (`reuniones crear`, `kb
# ejemplos`...) started without them.


def _day(text: str, name: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{name} «{text}» no es una fecha AAAA-MM-DD válida") from None


def write_report(
    settings: Settings,
    *,
    since: str,
    until: str,
    region: str | None,
    output: str,
    form: str,
    overwrite: bool = False,
) -> int:
    """Compute, then write: the file is only created once every indicator is ready. An
    existing file or folder is only written over when asked (`--sobrescribir`)."""
    try:
        period = _period(since, until)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    target = Path(output)
    problem = _target_problem(target, form, overwrite)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    t = translator(settings.bot_locale, settings.timezone)
    report = asyncio.run(_compute(settings, period, region, t))
    if isinstance(report, int):
        return report
    from bot.services.indicators.render import report_notes, write_csv

    if form == "csv":
        files = write_csv(report, t, target)
        print(f"Informe escrito en {target}/ ({len(files)} archivos CSV).")
    else:
        from bot.services.indicators.xlsx import report_xlsx

        target.write_bytes(report_xlsx(report, t))
        print(f"Informe escrito en {target} ({report.scope}, {report.period.label(t)}).")
    for note in report_notes(report, t):  # also on the cover
        print(note)
    return 0


def _target_problem(target: Path, form: str, overwrite: bool) -> str | None:
    """Why `--salida` cannot be written, in Spanish, or None."""
    if form == "xlsx" and not target.parent.is_dir():
        return f"la carpeta {target.parent} no existe"
    if target.exists() and not overwrite:
        what = "la carpeta" if target.is_dir() else "el archivo"
        return f"{what} {target} ya existe; elija otro nombre o añada --sobrescribir"
    if form == "xlsx" and target.is_dir():
        return f"{target} es una carpeta; --salida debe ser un archivo .xlsx"
    if form == "csv" and target.exists() and not target.is_dir():
        return f"{target} es un archivo; con --formato csv, --salida debe ser una carpeta"
    return None


def _period(since: str, until: str) -> Period:
    from bot.services.indicators.periods import EARLIEST, LATEST, MAX_YEARS, Period

    period = Period(_day(since, "--desde"), _day(until, "--hasta"))
    if period.first > period.last:
        raise ValueError("--desde debe ser anterior o igual a --hasta")
    if not period.allowed:
        raise ValueError(
            f"el periodo debe estar entre el {EARLIEST} y el {LATEST} y durar {MAX_YEARS} "
            "años como máximo"
        )
    return period


async def _compute(
    settings: Settings, period: Period, region: str | None, t: Translator
) -> Report | int:
    from bot import workers
    from bot.services.indicators import build_report
    from bot.services.regions import match_region
    from storage.repositories.regions import list_regions

    # The rules' workers at WORKER_NICE, as the bot's (the CLI kept them at 10 whatever it
    # said: on a shared box, p400's Q3 spent 88 s of wall in its 5 jobs at 10, 19 s at 0,
    # load ~11, all of it counted against REPORT_SECONDS).
    workers.prepare(settings.worker_nice)
    async with migrated(settings) as db, db.session() as session:
        code = None
        if region:
            match = match_region(region, await list_regions(session), unambiguous=True)
            if match.region is None and len(match.candidates) > 1:
                options = "; ".join(f'--region "{r.name}"' for r in match.candidates)
                print(
                    f"error: la región «{region}» es ambigua; elija una: {options}",
                    file=sys.stderr,
                )
                return 2
            if match.region is None:
                options = ", ".join(r.name for r in match.candidates)
                hint = f" ¿Quiso decir: {options}?" if options else ""
                print(f"error: no reconozco la región «{region}».{hint}", file=sys.stderr)
                return 2
            code = match.region.code

        async def progress(done: int, total: int) -> None:
            print(f"Indicador {done} de {total} calculado…", file=sys.stderr)

        report = await build_report(
            session,
            period,
            code,
            t,
            minka_now(settings).astimezone(settings.timezone),
            progress=progress,
            until=time.monotonic() + settings.report_seconds,  # REPORT_SECONDS, as the chat's
        )
    return report


def add_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`informe`: its arguments."""
    report = commands.add_parser(
        "informe",
        help="informe de indicadores del programa (XLSX o carpeta de CSV)",
        description=(
            "Calcula los indicadores del programa para el periodo (fechas de Lima, "
            "ambas incluidas), por región y por sexo. Acepta cualquier par de fechas: es "
            "para quien opera el servidor y ya tiene la base de datos. En el chat "
            "(/indicadores) solo hay trimestres y años calendario completos, porque dos "
            "periodos que difieren en un día, restados, mostrarían los datos de ese día; un "
            "año calendario completo muestra aquí también solo lo que muestra cada uno de "
            "sus trimestres."
        ),
    )
    report.add_argument("--desde", required=True, metavar="AAAA-MM-DD", help="primer día")
    report.add_argument("--hasta", required=True, metavar="AAAA-MM-DD", help="último día")
    report.add_argument("--region", metavar="NOMBRE", help="solo esta región (por defecto todas)")
    report.add_argument(
        "--salida", required=True, metavar="RUTA", help="archivo .xlsx, o carpeta si es CSV"
    )
    report.add_argument(
        "--sobrescribir",
        action="store_true",
        help="reemplaza el archivo o escribe en la carpeta de --salida aunque ya exista",
    )
    report.add_argument(
        "--formato", choices=("xlsx", "csv"), default="xlsx", help="xlsx (por defecto) o csv"
    )
