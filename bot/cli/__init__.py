"""Minka's command line: `python -m bot <orden>` (also installed as `minka`)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from bot import heap, logs
from bot.cli import (
    backup,
    commands,
    meetings,
    publications,
    report,
    visit_changes,
    visits,
    workshops,
)
from bot.cli.parser import build_parser
from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from bot.services.text import sanitize
from storage.problems import explain

NO_TOKEN_WITHOUT_TERMINAL = (
    "Falta TELEGRAM_BOT_TOKEN: sin token Minka no puede funcionar como servicio; defínalo en el "
    "entorno o en el archivo de configuración (pídalo a @BotFather). Para la demostración "
    "local, ejecute `python -m bot demo` en una terminal."
)


def main(argv: Sequence[str] | None = None) -> int:
    # Cleaned where they enter, as every text typed into Minka (bot.services.text).
    args = build_parser().parse_args(
        [sanitize(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    )
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    command = args.command or ("run" if settings.token else "demo")
    if command != "run":
        heap.release()  # `run` collects again once started (`heap.settle`), the others now
    if args.command == "kb" and args.kb_command == "revisar":
        return commands.kb_check(args.carpeta or settings.content_dir, args.hoy)
    if args.command is None and settings.token is None and not sys.stdin.isatty():
        # A service or a pipe: nobody can chat, so the demo would just end. Say what is missing.
        print(NO_TOKEN_WITHOUT_TERMINAL, file=sys.stderr)
        return 2
    heap.limit_arenas()  # before the logging thread and the database's start
    setup_logging(
        logging.WARNING if command == "demo" else logging.INFO,
        secrets=[settings.token] if settings.token else [],
        json_lines=settings.log_format == "json",
    )
    try:
        if command == "run":
            return commands.run(settings, webhook=getattr(args, "webhook", False))
        if command == "demo":
            from bot.demo import ctrl_c_stops, run_demo

            ctrl_c_stops()  # before asyncio.run, which hears Ctrl+C only through that handler
            return asyncio.run(run_demo(settings, getattr(args, "db", None)))
        if command == "db" and args.db_command == "migrar-a":
            from bot.cli.transfer import migrate_to

            return migrate_to(settings, args.url)
        if command == "db" and args.db_command == "respaldo":
            return backup.backup(
                settings, args.archivo, folder=args.carpeta, keep_days=args.conservar
            )
        if command == "db":
            return asyncio.run(commands.db_upgrade(settings))
        if command == "admin":
            from bot.cli import roles  # the roles' rules and storage: for `admin` alone

            return asyncio.run(roles.admin(settings, args))
        if command == "kb" and args.kb_command == "estadisticas":
            folder = args.carpeta or settings.content_dir
            return asyncio.run(commands.kb_statistics(settings, folder))
        if command == "kb" and args.kb_command == "recargar":
            return asyncio.run(commands.kb_reload(settings))
        if command == "kb" and args.kb_command == "ejemplos":
            from bot.cli.examples import examples_order

            return asyncio.run(examples_order(settings, args.aceptar, args.descartar))
        if command == "kb":
            return asyncio.run(commands.unanswered(settings, args.limite))
        if command == "talleres" and args.workshops_command == "importar":
            return workshops.import_workshops(settings, args.archivo)
        if command == "talleres" and args.workshops_command == "material":
            return workshops.material(settings, args.codigo, args.archivo)
        if command == "talleres":
            return asyncio.run(workshops.list_workshops(settings))
        if command == "reuniones" and args.meetings_command == "crear":
            return meetings.create_meeting(
                settings,
                title=args.titulo,
                kind=args.tipo,
                start=args.inicio,
                end=args.fin,
                place=args.lugar,
                link=args.enlace,
                agenda=args.agenda,
                invite=args.invitar,
                reminders=args.recordatorios,
            )
        if command == "reuniones" and args.meetings_command == "listar":
            return asyncio.run(meetings.list_meetings(settings))
        if command == "reuniones":
            return asyncio.run(meetings.cancel_meeting(settings, args.codigo))
        if command == "publicaciones":
            return publications.main(settings, args)
        if command == "visitas" and args.visits_command == "crear":
            return visits.create_visit(
                settings,
                title=args.titulo,
                destination=args.destino,
                start=args.inicio,
                end=args.fin,
                invite=args.invitar,
                reminders=args.recordatorios,
                instructions=args.indicaciones,
            )
        if command == "visitas" and args.visits_command == "listar":
            return asyncio.run(visits.list_visits(settings))
        if command == "visitas" and args.visits_command == "cambiar":
            return asyncio.run(
                visit_changes.change_visit(
                    settings,
                    args.codigo,
                    destination=args.destino,
                    start=args.inicio,
                    end=args.fin,
                    instructions=args.indicaciones,
                )
            )
        if command == "visitas" and args.visits_command == "cancelar":
            return asyncio.run(visit_changes.cancel_visit(settings, args.codigo))
        if command == "visitas":
            return asyncio.run(visits.confirm_visit(settings, args.codigo, args.ids))
        if command == "informe":
            return report.write_report(
                settings,
                since=args.desde,
                until=args.hasta,
                region=args.region,
                output=args.salida,
                form=args.formato,
                overwrite=args.sobrescribir,
            )
    except ConfigError as error:
        logs.flush()  # what was logged before it, first: the error is the last line
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        problem = explain(error, settings.database_url)
        if problem is None:
            raise
        logs.flush()  # what was logged before it, first
        print(problem.line, file=sys.stderr)
        # 1: may pass by itself (a service manager restarts); 2: needs a fix, like a setting.
        return 1 if problem.retryable else 2
    finally:
        logs.flush()  # written in batches by a thread (bot/logs.py): all out before we return
    return 1
