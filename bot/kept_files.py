"""Files Minka keeps in its database and sends by Telegram's file_id: a publication, a
workshop's material. Uploaded once (the bytes are read only while Telegram has no file_id,
or no longer knows it), and each delivery recorded after Telegram took the file, once per
person.

Such a file is one of the reply's calls (handlers.base `Ctx.kept_file`): sent at once, or,
held back by flood control, by the outbox with the chat's other held replies (bot/held.py),
whose row keeps only which file for whom (`KeptFile`), never the file: it is looked up
again when its turn comes (`look_up`), so a file withdrawn meanwhile is not sent."""

from __future__ import annotations

import html
import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.runtime import Runtime
from bot.services import publications as rules
from bot.telegram_limits import CAPTION_LIMIT, cut_html
from storage.repositories import materials, publications
from storage.repositories.materials import MaterialRecord
from storage.repositories.publications import PublicationRecord

PUBLICATION, MATERIAL = "publication", "material"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeptFile:
    """Which kept file (`kind`: PUBLICATION or MATERIAL, and its id) for whom (None: sent,
    not counted among its receivers), and where it was asked for (a publication's delivery
    `source`)."""

    kind: str
    id: int
    person_id: int | None
    source: str = "chat"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Found:
    """What to send: Telegram's file_id, or the bytes when Telegram has none yet."""

    filename: str
    file_id: str | None
    content: bytes | None
    caption: str  # HTML, within the Bot API's 1024 characters; "" for none


def caption(publication: PublicationRecord) -> str:
    """A publication's title and summary, under its file."""
    text = f"<b>{html.escape(publication.title, quote=False)}</b>\n\n"
    return cut_html(text + html.escape(publication.summary, quote=False), CAPTION_LIMIT)


async def publication(session: AsyncSession, record: PublicationRecord) -> Found:
    content = None if record.file_id else await publications.content(session, record.id)
    return Found(record.filename, record.file_id, content, caption(record))


async def material(session: AsyncSession, record: MaterialRecord) -> Found:
    content = None if record.file_id else await materials.content(session, record.id)
    return Found(record.filename, record.file_id, content, "")


async def look_up(session: AsyncSession, kept: KeptFile) -> Found | None:
    """The file as it is now; None if withdrawn or deleted since it was asked for."""
    if kept.kind == PUBLICATION:
        record = await rules.available(session, kept.id)
        return await publication(session, record) if record else None
    found = await materials.get(session, kept.id)
    return await material(session, found) if found else None


async def send(
    bot: Bot,
    runtime: Runtime,
    chat_id: int,
    kept: KeptFile,
    found: Found,
    limits: dict[str, object] | None = None,
) -> None:
    """Send the file (by file_id; uploaded if Telegram has none or refuses it), then record
    the delivery. A 429 or a failure of the upload propagates (the caller holds the file or
    puts it back); once Telegram took the file nothing is raised, so it is never sent twice."""
    options: dict[str, Any] = {
        "caption": found.caption or None,
        "parse_mode": ParseMode.HTML if found.caption else None,
        "rate_limit_args": limits,
    }
    message = None
    content = found.content
    if content is None and found.file_id:
        try:
            message = await bot.send_document(chat_id, found.file_id, **options)
        except BadRequest as error:  # a file_id Telegram no longer knows: upload again
            log.warning("%s %s: stored file_id refused: %s", kept.kind, kept.id, error)
            async with runtime.db.session() as session:
                content = await _content(session, kept)
    if message is None:
        upload = InputFile(content or b"", filename=found.filename)
        message = await bot.send_document(chat_id, upload, **options)
    file_id = message.document.file_id if message.document else None
    try:
        async with runtime.db.session() as session:
            await _delivered(session, kept, found.file_id, file_id, runtime)
    except Exception:  # the file arrived: not sent again for a missing count
        log.exception("%s %s sent, delivery not recorded", kept.kind, kept.id)


async def _content(session: AsyncSession, kept: KeptFile) -> bytes:
    if kept.kind == PUBLICATION:
        return await publications.content(session, kept.id)
    return await materials.content(session, kept.id)


async def _delivered(
    session: AsyncSession, kept: KeptFile, known: str | None, file_id: str | None, runtime: Runtime
) -> None:
    """Remember Telegram's file_id (first upload) and the person (first delivery only)."""
    now, person_id = runtime.clock.now(), kept.person_id
    if kept.kind == PUBLICATION:
        if file_id and file_id != known:
            await publications.remember_file_id(session, kept.id, file_id)
        if person_id is not None:
            await publications.record_delivery(session, kept.id, person_id, kept.source, now)
        return
    if file_id and file_id != known:
        await materials.remember_file_id(session, kept.id, file_id)
    if person_id is not None:
        await materials.record_delivery(session, kept.id, person_id, now)
