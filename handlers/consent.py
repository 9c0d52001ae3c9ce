"""The privacy notice (Ley 29733) and the Acepto / No acepto question."""

from __future__ import annotations

from handlers.base import Ctx
from handlers.keyboards import button


def privacy_notice(ctx: Ctx) -> str:
    _ = ctx._
    return (
        _(
            "🔒 <b>Privacy notice</b>\n\n"
            "To register you, Minka stores your Telegram id and username, your full name, region, "
            "institution, position and sex, and the date you gave your consent. They are used only "
            "for the programme's work with the regional governments: inviting you to meetings and "
            "workshops, recording the cases you attend, and reporting participation by region and "
            "by sex. They are not shared with third parties. For security, Minka also records "
            "attempts to use restricted functions (Telegram id, action and time).\n\n"
            "You can see your data with /mis_datos and delete it at any time with "
            "/borrar_mis_datos (Ley 29733, Ley de Protección de Datos Personales)."
        )
        + "\n\n"
        + _(
            "<b>What /borrar_mis_datos deletes</b>: your name, Telegram id and username, your "
            "position and every text you wrote (questions, error reports, answers, comments, "
            "representatives, broadcasts, notes, Regional Team reports, answers about study "
            "visits). In the cases you registered, the description and your notes become "
            "«[eliminado a pedido del titular]», and so do your Regional Team reports; the cases "
            "and reports stay, for the programme's indicators. Kept without your name: your "
            "region, institution and sex and the counts of what you did (attendance, ratings, "
            "answers to invitations, articles read), so that past reports do not change. "
            "Meetings, workshops, study visits and meeting agreements you created stay as "
            "records of the programme; copies of your broadcasts not sent yet are cancelled. "
            "In the security log your Telegram id is replaced by a pseudonym (a keyed hash). "
            "Questions typed by someone who has not accepted this notice are answered but not "
            "stored."
        )
    )


def ask_consent(ctx: Ctx, *, lead: str | None = None, then: str | None = None) -> None:
    """Show the notice with Acepto / No acepto; `lead` explains why it is asked now, and
    `then` (a deep-link payload such as "taller-ABC234") rides in the button, so what the
    person came for happens after registration without storing anything before consent."""
    _ = ctx._
    text = privacy_notice(ctx) + "\n\n" + _("Do you accept?")
    if lead:
        text = lead + "\n\n" + text
    suffix = f":{then}" if then else ""
    ctx.reply(
        text,
        [
            [
                button(_("I accept"), f"consent:yes{suffix}"),
                button(_("I do not accept"), "consent:no"),
            ]
        ],
    )
