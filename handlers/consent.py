"""The privacy notice (Ley 29733) and the Acepto / No acepto question: a newcomer first reads
a summary that fits a phone's first screen (what is stored, why, that it is not shared, how to
see and erase it), the whole notice one tap away («Ver detalle») and always at /privacidad."""

from __future__ import annotations

from telegram import InlineKeyboardButton

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


def summary(ctx: Ctx) -> str:
    """What a newcomer reads before answering: every kind of data stored, what for, that it
    is not shared, and the commands to see and erase it (tests/test_consent_summary.py)."""
    return ctx._(
        "🔒 <b>Your data in Minka</b>\n\n"
        "To register you, Minka stores your Telegram id and username, your full name, region, "
        "institution, position and sex, and the date of your consent; for security, also "
        "attempts to use restricted functions. They are used only for the programme's work "
        "with the regional governments (invitations, cases, reports by region and by sex) and "
        "are not shared with third parties.\n\n"
        "You can see your data with /mis_datos and erase it whenever you wish with "
        "/borrar_mis_datos (Ley 29733)."
    )


def retention_notice(ctx: Ctx) -> str:
    """How long records are kept before the daily job deletes them (bot/retention.py); each
    period a number of days in words that agree with it («1 día», «7 días»)."""
    settings = ctx.settings

    def days(count: int) -> str:
        return ctx.t.ngettext("{count} day", "{count} days", count).format(
            count=ctx.t.number(count)
        )

    return ctx._(
        "🗓 <b>Retention periods</b>\nMinka deletes automatically the technical record of the "
        "messages it processed after {updates}, the record of the messages it sent you "
        "(reminders, broadcasts, surveys) {outbox} after sending them, and the security log "
        "after {audit}. Your other data is kept until you delete it with /borrar_mis_datos."
    ).format(
        updates=days(settings.retention_updates_days),
        outbox=days(settings.retention_outbox_days),
        audit=days(settings.retention_audit_days),
    )


def reports_notice(ctx: Ctx) -> str:
    """How the indicator reports protect people, and what they cannot (issue #13)."""
    return ctx._(
        "📊 <b>Reports</b>\nThe programme's reports show counts, averages and shares by region "
        "and by sex. A figure resting on fewer than 3 people shows «—», and so do those that "
        "would let it be worked out from the others. In the chat, reports cover whole calendar "
        "quarters and years, and a year shows only what each of its quarters shows. Some "
        "figures of a period still in progress show «—» until it ends: every figure by sex, "
        "the people who attended or rated workshops over a year, and the share of «Was it "
        "useful?» answers that said yes. What they cannot hide: a quarter or year still in "
        "progress changes as records arrive, so two reports of it asked at different times "
        "differ by what was recorded in between, by region (never by sex); and a year counts "
        "each person once, so its number of people is not the sum of its quarters'."
    )


def full_notice(ctx: Ctx) -> str:
    """The whole notice, as /privacidad shows it: the summary's points in full, what erasure
    clears and keeps, the retention periods and how reports protect people."""
    return privacy_notice(ctx) + "\n\n" + retention_notice(ctx) + "\n\n" + reports_notice(ctx)


def answered(ctx: Ctx) -> str:
    """The question's message once answered: the summary, where the whole notice stays."""
    return summary(ctx) + "\n\n" + ctx._("The whole notice: /privacidad.")


def ask_consent(
    ctx: Ctx, *, lead: str | None = None, then: str | None = None, whole: bool = False
) -> None:
    """Show the summary (`whole`: the whole notice) with Acepto / No acepto and, under the
    summary, «Ver detalle»; `lead` explains why it is asked now, and `then` (a deep-link
    payload such as "taller-ABC234") rides in the buttons, so what the person came for happens
    after registration without storing anything before consent."""
    text, keyboard = consent_question(ctx, then=then, whole=whole)
    ctx.reply(lead + "\n\n" + text if lead else text, keyboard)


def consent_question(
    ctx: Ctx, *, then: str | None = None, whole: bool = False
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The question's text and buttons (also for «Ver detalle», which edits it in place)."""
    _ = ctx._
    suffix = f":{then}" if then else ""
    keyboard = [
        [
            button(_("I accept"), f"consent:yes{suffix}"),
            button(_("I do not accept"), "consent:no"),
        ]
    ]
    if whole:
        return full_notice(ctx) + "\n\n" + _("Do you accept?"), keyboard
    pointer = _(
        "The whole notice (what erasure deletes and keeps, retention periods, reports): "
        "«See details» or /privacidad."
    )
    keyboard.append([button(_("See details"), f"consent:more{suffix}")])
    return summary(ctx) + "\n\n" + pointer + "\n\n" + _("Do you accept?"), keyboard
