"""QR codes to project at the door of a workshop or meeting (segno → PNG, no imaging lib)."""

from __future__ import annotations

import io

from handlers.base import Ctx


def qr_png(link: str) -> bytes:
    import segno  # loaded when a QR code is first drawn (rarely: coordinators, at the door)

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()


def send_qr(ctx: Ctx, link: str, caption: str, filename: str) -> None:
    """The QR code as a photo, one of the update's replies (held with them under flood
    control, `Ctx.document`)."""
    ctx.document(filename, qr_png(link), caption, photo=True)
