"""Publications of the programme and their dissemination: what a file must be to be
published, and the pilot regions the dissemination indicator reports on.

The file itself lives in the database (every replica can send it); the first time Minka sends
it, Telegram returns a file_id that is sent from then on instead of the bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import format_number
from bot.services.dates import FIRST_YEAR, LAST_YEAR, plausible
from storage.repositories import publications as repo
from storage.repositories.publications import PublicationRecord

# The programme's pilot regions (PERCAN R.1 activity sheet), by region code.
PILOT_REGIONS: tuple[str, ...] = (
    "la-libertad",
    "pasco",
    "moquegua",
    "piura",
    "puno",
    "madre-de-dios",
)
MAX_BYTES = 50 * 1024 * 1024  # the Bot API's limit for a document a bot uploads
MAX_TITLE = 200
# The summary travels as the document's caption: Telegram allows 1024 characters, and the
# title (up to 200) and a line break go with it.
MAX_SUMMARY = 800
PDF_MAGIC = b"%PDF-"


class PublicationError(ValueError):
    """Why a file or its details cannot be published (Spanish, shown as it is)."""


@dataclass(frozen=True, slots=True)
class Draft:
    title: str
    summary: str
    published_on: date
    filename: str
    content: bytes


def check(
    *, path: str, content: bytes, title: str, summary: str, published_on: date | None, today: date
) -> Draft:
    """The publication as it will be stored, or the reason it cannot be."""
    name = PurePath(path).name
    if not name.lower().endswith(".pdf") or not content.startswith(PDF_MAGIC):
        raise PublicationError(f"{name} no es un archivo PDF.")
    if len(content) > MAX_BYTES:
        megabytes = math.ceil(len(content) * 10 / 1024 / 1024) / 10  # never shown as 50.0
        raise PublicationError(
            f"{name} pesa {format_number(megabytes, digits=1)} MB; Telegram acepta hasta 50 MB."
        )
    title, summary = " ".join(title.split()), summary.strip()
    if not title:
        raise PublicationError("Falta el título (--titulo).")
    if len(title) > MAX_TITLE:
        raise PublicationError(
            f"El título tiene {len(title)} caracteres; el máximo es {MAX_TITLE}."
        )
    if not summary:
        raise PublicationError("Falta el resumen (--resumen).")
    if len(summary) > MAX_SUMMARY:
        raise PublicationError(
            f"El resumen tiene {len(summary)} caracteres; el máximo es {MAX_SUMMARY} (va junto al "
            "archivo, y Telegram permite 1,024 caracteres con el título)."
        )
    when = published_on or today
    if when > today:
        raise PublicationError(f"La fecha de publicación {when:%Y-%m-%d} aún no llega.")
    if not plausible(when):  # «--fecha 0001-01-01» was taken, listed as «1-01-01»
        raise PublicationError(
            f"La fecha de publicación {when.isoformat()} no está entre los años {FIRST_YEAR} y "
            f"{LAST_YEAR}."
        )
    return Draft(title, summary, when, name[:MAX_TITLE], content)


async def publish(session: AsyncSession, draft: Draft) -> PublicationRecord:
    return await repo.add(
        session,
        title=draft.title,
        summary=draft.summary,
        published_on=draft.published_on,
        filename=draft.filename,
        content=draft.content,
    )


async def available(session: AsyncSession, publication_id: int) -> PublicationRecord | None:
    """A publication people can still receive (None if unknown or withdrawn)."""
    publication = await repo.get(session, publication_id)
    return publication if publication is not None and publication.withdrawn_at is None else None
