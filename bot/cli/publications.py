"""CLI orders for publications: `publicaciones agregar|listar|retirar`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.cli.commands import migrated, minka_now, row_number, table
from bot.config import Settings
from bot.i18n import format_number


def main(settings: Settings, args: argparse.Namespace) -> int:
    if args.publications_command == "agregar":
        return add(settings, args.archivo, args.titulo, args.resumen, args.fecha)
    if args.publications_command == "listar":
        return asyncio.run(list_publications(settings))
    return asyncio.run(withdraw(settings, args.numero))


def add(settings: Settings, path: str, title: str, summary: str, when: str | None) -> int:
    """The file and its details are checked before the database is touched."""
    from bot.services import publications as rules

    try:
        content = Path(path).read_bytes()
    except FileNotFoundError:
        print(f"No existe el archivo {path}.", file=sys.stderr)
        return 2
    except IsADirectoryError:
        print(f"{path} es una carpeta; indique el archivo PDF.", file=sys.stderr)
        return 2
    except OSError:
        print(f"No se pudo leer el archivo {path}.", file=sys.stderr)
        return 2
    try:
        published_on = date.fromisoformat(when) if when else None
    except ValueError:
        print(f"--fecha debe ser una fecha AAAA-MM-DD, no «{when}».", file=sys.stderr)
        return 2
    today = minka_now(settings).astimezone(settings.timezone).date()
    try:
        draft = rules.check(
            path=path,
            content=content,
            title=title,
            summary=summary,
            published_on=published_on,
            today=today,
        )
    except rules.PublicationError as error:
        print(error, file=sys.stderr)
        return 2
    return asyncio.run(_add(settings, draft))


async def _add(settings: Settings, draft: object) -> int:
    from bot.services import publications as rules

    assert isinstance(draft, rules.Draft)
    async with migrated(settings) as db, db.session() as session:
        publication = await rules.publish(session, draft)
    print(publication.id)
    print(
        f"Publicación {publication.id} («{publication.title}», {draft.published_on:%Y-%m-%d}) "
        "agregada: ya se ofrece en /publicaciones."
    )
    return 0


async def list_publications(settings: Settings) -> int:
    from storage.repositories import publications as repo

    async with migrated(settings) as db, db.session() as session:
        items = await repo.listed(session, withdrawn=True)
        reached = await repo.recipients(session)
    if not items:
        print("No hay publicaciones; agregue una con `python -m bot publicaciones agregar`.")
        return 0
    rows = [
        (
            str(item.id),
            f"{item.published_on:%Y-%m-%d}",
            "retirada" if item.withdrawn_at else "disponible",
            item.title if len(item.title) <= 50 else item.title[:49] + "…",
            item.filename,
            f"{format_number(item.size / 1024 / 1024, digits=1)} MB",
            str(reached.get(item.id, 0)),
        )
        for item in items
    ]
    header = ("número", "fecha", "estado", "título", "archivo", "tamaño", "personas")
    for line in table(header, rows, right={0, 5, 6}):
        print(line)
    return 0


async def withdraw(settings: Settings, number: int) -> int:
    from storage.repositories import publications as repo

    async with migrated(settings) as db, db.session() as session:
        publication = await repo.get(session, number) if 0 < number < 2**31 else None
        if publication is None:
            print(
                f"No existe la publicación {number}; vea los números con "
                "`python -m bot publicaciones listar`.",
                file=sys.stderr,
            )
            return 1
        if not await repo.withdraw(session, number, minka_now(settings)):
            print(f"La publicación {number} ya estaba retirada; no se hizo nada.")
            return 0
    print(
        f"Publicación {number} («{publication.title}») retirada: ya no se ofrece; las personas "
        "que la recibieron siguen contando en el indicador."
    )
    return 0


def add_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`publicaciones`: its orders and their arguments."""
    publications = commands.add_parser(
        "publicaciones", help="publicaciones del programa: agregar, listar y retirar"
    ).add_subparsers(dest="publications_command", metavar="<orden>", required=True)
    add = publications.add_parser(
        "agregar",
        help="publica un documento PDF: se ofrece en /publicaciones",
        description=(
            "Guarda el PDF (hasta 50 MB) con su título y resumen; desde entonces quien lo pida "
            "en /publicaciones lo recibe con el resumen, y cada persona que lo recibe se cuenta "
            "una vez en el indicador de difusión. Imprime el número de la publicación."
        ),
    )
    add.add_argument("archivo", metavar="ARCHIVO.pdf", help="el documento, en PDF")
    add.add_argument("--titulo", required=True, metavar="TÍTULO", help="hasta 200 caracteres")
    add.add_argument(
        "--resumen", required=True, metavar="TEXTO", help="hasta 800 caracteres; va con el archivo"
    )
    add.add_argument(
        "--fecha", metavar="AAAA-MM-DD", help="fecha de publicación (por defecto, hoy en Lima)"
    )
    publications.add_parser(
        "listar",
        help="publicaciones con su fecha, estado y personas que las recibieron",
    )
    withdraw = publications.add_parser(
        "retirar",
        help="deja de ofrecer una publicación (lo ya difundido sigue contando)",
    )
    withdraw.add_argument(
        "numero", type=row_number, metavar="NÚMERO", help="número de la publicación"
    )
