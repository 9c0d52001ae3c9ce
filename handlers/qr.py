"""QR codes to project at the door of a workshop or meeting (segno → PNG, no imaging lib)."""

from __future__ import annotations

import io

from telegram import InputFile
from telegram.constants import ParseMode

from handlers.base import Ctx


def qr_png(link: str) -> bytes:
    import segno  # loaded when a QR code is first drawn (rarely: coordinators, at the door)

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()


def send_qr(ctx: Ctx, link: str, caption: str, filename: str) -> None:
    content = qr_png(link)
    ctx.later(
        lambda: ctx.context.bot.send_photo(
            ctx.chat_id,
            InputFile(content, filename=filename),
            caption=caption,
            parse_mode=ParseMode.HTML,
        )
    )
