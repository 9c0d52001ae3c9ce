"""Telegram handlers, one module per feature, all registered here in one place."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import cut_short, held, held_render
from bot.i18n import N_
from bot.outbox import AfterSend, Renderer, Withhold
from bot.services.roles import Role
from handlers import (
    admin,
    agreement_edit,
    agreements,
    broadcasts,
    case_form,
    cases,
    conversation,
    errors,
    experts,
    indicators,
    kb_reviews,
    materials,
    meeting_admin,
    meeting_forms,
    meetings,
    membership,
    menu,
    privacy,
    profile,
    publications,
    registration,
    reports,
    routes,
    start,
    still_held,
    teaching,
    team_members,
    team_reports,
    toolkit,
    visit_admin,
    visit_forms,
    visit_survey,
    visits,
    workshop_admin,
    workshop_checkin,
    workshop_survey,
    workshops,
)
from handlers.base import HandlerFn
from handlers.dispatch import make_callback
from handlers.registry import Buttons, Command, Feature

_CORE = Feature(
    commands=(
        Command("menu", menu.menu_command, N_("Main menu"), None),
        Command("ayuda", menu.help_command, N_("Help and list of commands"), None),
        Command("cancelar", menu.cancel_command, N_("Cancel what I am doing"), None),
    ),
    buttons=(Buttons("menu", menu.on_button, None),),
)

FEATURES: tuple[Feature, ...] = (
    start.FEATURE,
    registration.FEATURE,
    _CORE,
    profile.FEATURE,
    toolkit.FEATURE,
    experts.FEATURE,
    kb_reviews.FEATURE,
    reports.FEATURE,
    teaching.FEATURE,
    workshops.FEATURE,
    workshop_checkin.FEATURE,
    workshop_survey.FEATURE,
    workshop_admin.FEATURE,
    materials.FEATURE,
    meetings.FEATURE,
    meeting_admin.FEATURE,
    meeting_forms.FEATURE,
    agreements.FEATURE,
    agreement_edit.FEATURE,
    visits.FEATURE,
    visit_admin.FEATURE,
    visit_forms.FEATURE,
    visit_survey.FEATURE,
    cases.FEATURE,
    case_form.FEATURE,
    publications.FEATURE,
    team_reports.FEATURE,
    team_members.FEATURE,
    indicators.FEATURE,
    broadcasts.FEATURE,
    privacy.FEATURE,
    admin.FEATURE,
)


def all_commands() -> list[Command]:
    return [command for feature in FEATURES for command in feature.commands]


def all_buttons() -> list[Buttons]:
    return [route for feature in FEATURES for route in feature.buttons]


def forms() -> Mapping[str, tuple[HandlerFn, Role | None]]:
    """Flow name -> the handler of typed answers and the role they need."""
    return {
        name: (handler, feature.forms_role)
        for feature in FEATURES
        for name, handler in feature.forms.items()
    }


def outbox_renderers() -> Mapping[str, Renderer]:
    renderers = {kind: render for feature in FEATURES for kind, render in feature.outbox.items()}
    return {**renderers, held.KIND: held_render.render, cut_short.KIND: held_render.render}


def outbox_after_send() -> Mapping[str, AfterSend]:
    return {kind: hook for feature in FEATURES for kind, hook in feature.after_send.items()}


def outbox_withhold() -> Mapping[str, Withhold]:
    checks = {kind: check for feature in FEATURES for kind, check in feature.withhold.items()}
    return {**checks, held.KIND: still_held.withhold}  # work apart, held by flood control


# The updates Minka asks Telegram for (getUpdates' and setWebhook's allowed_updates): those
# its handlers below take. Update.ALL_TYPES also opted in to chat_member and message reactions,
# which Telegram sends only when asked (Bot API, getUpdates), and business and payment
# updates: no handler takes them, each was fetched, parsed and dropped.
ALLOWED_UPDATES = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,  # only to say that an edit is not read
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.CHOSEN_INLINE_RESULT,
    Update.MY_CHAT_MEMBER,  # a person blocking or unblocking Minka; a group adding it
)


def register(application: Application) -> None:
    # Edited messages are not new requests: answering them again would repeat actions; the
    # person is told so (conversation.on_edited_message).
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(
        routes.commands(
            ((c.name, make_callback(c.handler, c.role, f"/{c.name}")) for c in all_commands()),
            private,
        )
    )
    application.add_handler(
        routes.buttons(
            (r.prefix, make_callback(r.handler, r.role, f"button {r.prefix}"))
            for r in all_buttons()
        )
    )
    application.add_handler(
        MessageHandler(
            private & filters.TEXT & ~filters.COMMAND,
            make_callback(conversation.on_text, None, "text"),
        )
    )
    application.add_handler(
        MessageHandler(
            private & filters.COMMAND,
            make_callback(conversation.on_unknown_command, None, "unknown command"),
        )
    )
    application.add_handler(
        MessageHandler(
            private & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            make_callback(conversation.on_other_message, None, "other message"),
        )
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE,
            make_callback(conversation.on_edited_message, None, "edited message"),
        )
    )
    application.add_handler(
        CommandHandler(
            ["start", "ayuda", "help"],
            make_callback(conversation.on_group_message, None, "group"),
            filters=filters.ChatType.GROUPS,
        )
    )
    application.add_handler(
        CallbackQueryHandler(make_callback(conversation.on_stale_button, None, "stale button"))
    )
    application.add_handler(
        InlineQueryHandler(make_callback(toolkit.on_inline_query, None, "inline query"))
    )
    application.add_handler(
        ChosenInlineResultHandler(
            make_callback(toolkit.on_chosen_inline_result, None, "inline result")
        )
    )
    application.add_handler(
        ChatMemberHandler(
            make_callback(membership.on_my_chat_member, None, "membership"),
            ChatMemberHandler.MY_CHAT_MEMBER,
        )
    )
    application.add_error_handler(errors.on_error)
