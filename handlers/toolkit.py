"""The Mining Tool Kit in the chat: topics, articles, free-text questions, inline.

Callback data: kb:topics | kb:t:<topic>:<page> | kb:a:<article>[:<question>] |
kb:u:<article>:<1|0>[:<question>] | kb:g | kb:g:<letter>[:<page>] | kb:gt:<term slug> (the
glossary's views are in handlers.glossary).
Escalation buttons (ask:<question>) live in handlers.experts.
Browsing edits the same message; a typed question gets a new one. An article whose header
names a publication (`publication: regionalizacion.pdf`) is shown with a button that delivers
the newest available publication of that file name (pub:get:<publication>:k, handlers.publications).
"""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.i18n import N_, translator
from bot.services import toolkit
from bot.telegram_limits import MESSAGE_LIMIT, cut_html, visible_units
from handlers import glossary
from handlers.base import Ctx, Keyboard, esc
from handlers.kb_buttons import article_button, article_label, list_footer
from handlers.keyboards import as_number, button, page_bounds, rows
from handlers.menu import menu_keyboard
from handlers.publications import get_button
from handlers.questions import pager
from handlers.registry import Buttons, Command, Feature
from handlers.reports import report_row
from knowledge.base import KnowledgeBase
from knowledge.dates import stale
from knowledge.model import Article
from knowledge.render import article_messages, glossary_message
from knowledge.search import Answer
from storage.repositories import publications as publication_repo
from storage.repositories.publications import PublicationRecord

ARTICLES_PER_PAGE = 6
SMALL_TALK_REPLIES = {
    "greeting": N_(
        "Hello! I am Minka. Type your question about small-scale and artisanal mining, "
        "or choose an option from the menu."
    ),
    "thanks": N_("You're welcome! If you have another question, type it here."),
    "bye": N_("Goodbye! I will be here whenever you need me."),
    "chat": N_(
        "Type your question, for example «What is the REINFO?», or choose an option from the menu."
    ),
}
INLINE_RESULTS = 10
# Why the closest article is no answer: the kind of fact asked that the kit does not hold
# (not said for today's value: the closest articles that are dated hold some of today's).
UNHELD_REPLIES = {
    "practical": N_(
        "The Tool Kit does not hold offices' addresses, hours or phone numbers, "
        "nor prices, salaries or fees."
    ),
    "status": N_(
        "The Tool Kit does not hold how a particular file stands: the office that handles it "
        "can tell you."
    ),
    "count": N_("The Tool Kit does not state that figure."),
    "errand": N_("The Tool Kit does not explain how to do that procedure."),
}


def _kb(ctx: Ctx) -> KnowledgeBase:
    return ctx.runtime.knowledge


def topics_view(ctx: Ctx) -> tuple[str, Keyboard]:
    kit = _kb(ctx).kit
    keyboard = [[button(topic.name, f"kb:t:{topic.id}:0")] for topic in kit.topics]
    keyboard.append(
        [button(ctx._("📖 Glossary"), "kb:g"), button(ctx._("« Main menu"), "menu:main")]
    )
    text = ctx._(
        "<b>Mining Tool Kit</b>\nChoose a topic, or simply type your question "
        "(typos and missing accents are fine)."
    )
    return text, keyboard


def topic_view(ctx: Ctx, topic_id: str, page: int) -> tuple[str, Keyboard] | None:
    kit = _kb(ctx).kit
    topic = kit.topic(topic_id)
    if topic is None:
        return None
    articles = kit.in_topic(topic_id)
    page, first, pages = page_bounds(len(articles), page, ARTICLES_PER_PAGE)
    shown = articles[first : first + ARTICLES_PER_PAGE]
    keyboard = [[article_button(article, ctx.today)] for article in shown]
    nav = pager(ctx, page, pages, lambda number: f"kb:t:{topic_id}:{number}")
    if nav:
        keyboard.append(nav)
    keyboard.append([button(ctx._("« Topics"), "kb:topics")])
    text = f"<b>{esc(topic.name)}</b>\n{esc(topic.description)}"
    text += list_footer(ctx, any(stale(article, ctx.today) for article in shown), page, pages)
    return text, keyboard


def feedback_row(
    ctx: Ctx, article_id: str, question_id: int | None, chosen: bool | None = None
) -> list:
    suffix = f":{question_id}" if question_id is not None else ""
    yes = ("✓ " if chosen is True else "") + ctx._("👍 Yes")
    no = ("✓ " if chosen is False else "") + ctx._("👎 No")
    return [button(yes, f"kb:u:{article_id}:1{suffix}"), button(no, f"kb:u:{article_id}:0{suffix}")]


def article_keyboard(
    ctx: Ctx,
    article: Article,
    question_id: int | None,
    *,
    chosen: bool | None = None,
    others: tuple[Article, ...] = (),
    publication: PublicationRecord | None = None,
) -> Keyboard:
    kit = _kb(ctx).kit
    keyboard: Keyboard = [feedback_row(ctx, article.id, question_id, chosen)]
    if publication is not None:  # the publication the article names, delivered on a press
        label = "📄 " + ctx._("Receive «{title}»").format(title=publication.title)
        keyboard.append([get_button(label, publication.id, source="k")])
    suggestions = others or tuple(kit.articles[r] for r in article.related if r in kit.articles)
    for other in suggestions[:3]:
        keyboard.append([article_button(other, ctx.today, "↪ ")])
    keyboard.append(report_row(ctx, article.id))
    keyboard.append(
        [button(ctx._("« Back"), f"kb:t:{article.topic}:0"), button(ctx._("Topics"), "kb:topics")]
    )
    return keyboard


def article_text(ctx: Ctx, article: Article, *, suggestions: bool = False) -> list[str]:
    parts = article_messages(article, ctx.t, ctx.today)
    question = "<i>" + ctx._("Was this useful?") + "</i>"
    if suggestions:
        question += "\n<i>" + ctx._("Below, other articles you may find useful.") + "</i>"
    last = f"{parts[-1]}\n\n{question}"
    if visible_units(last) <= MESSAGE_LIMIT:
        parts[-1] = last
    else:  # the article's last message is full: the question goes on its own, with the buttons
        parts.append(question)
    return parts


async def show_article(
    ctx: Ctx,
    article: Article,
    *,
    edit: bool,
    question_id: int | None = None,
    others: tuple[Article, ...] = (),
) -> None:
    parts = article_text(ctx, article, suggestions=bool(others))
    publication = (
        await publication_repo.newest_named(ctx.session, article.publication)
        if article.publication
        else None
    )
    keyboard = article_keyboard(ctx, article, question_id, others=others, publication=publication)
    for part in parts[:-1]:
        ctx.reply(part)
    if edit and len(parts) == 1:
        ctx.show(parts[-1], keyboard)
    else:
        ctx.reply(parts[-1], keyboard)


async def topics_command(ctx: Ctx) -> None:
    text, keyboard = topics_view(ctx)
    ctx.reply(text, keyboard)


def show_topics(ctx: Ctx, *, edit: bool) -> None:
    text, keyboard = topics_view(ctx)
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def answer_question(ctx: Ctx, text: str) -> None:
    """Free text: the best article itself, or an honest "not sure" with a way to an expert."""
    _ = ctx._
    text = text.strip()
    if not text:
        return
    asked = await toolkit.ask(ctx.session, _kb(ctx), ctx.person, text, ctx.now)
    answer = asked.answer
    if answer is None:  # small talk
        ctx.reply(_(SMALL_TALK_REPLIES[asked.small_talk or "chat"]), menu_keyboard(ctx))
        return
    if answer.glossary is not None:
        ctx.reply(glossary_message(answer.glossary, ctx.t, ctx.today))
    if answer.best is not None:
        await show_article(
            ctx, answer.best, edit=False, question_id=asked.question_id, others=answer.others
        )
        return
    if answer.glossary is not None and not answer.others:
        return
    _not_sure(ctx, answer, asked.question_id)


def _not_sure(ctx: Ctx, answer: Answer, question_id: int | None) -> None:
    _ = ctx._
    lines = [_("I did not find a sure answer to your question.")]
    if answer.unheld in UNHELD_REPLIES:
        lines.append(_(UNHELD_REPLIES[answer.unheld]))
    keyboard: Keyboard = []
    if answer.others:
        lines.append(_("The closest articles are below."))
        keyboard += [[article_button(a, ctx.today, "↪ ")] for a in answer.others[:3]]
    if answer.topics:
        keyboard += rows([button("📂 " + t.name, f"kb:t:{t.id}:0") for t in answer.topics[:2]], 1)
    lines.append(_("A specialist of the programme can answer you here, in this chat."))
    # Without consent nothing was stored: the button asks for it (see handlers/experts.py).
    data = f"ask:{question_id}" if question_id is not None else "ask:consent"
    keyboard.append([button(_("📨 Send my question to a specialist"), data)])
    ctx.reply("\n".join(lines), keyboard)


async def search_command(ctx: Ctx) -> None:
    text = " ".join(ctx.args)
    if not text:
        ctx.reply(
            ctx._("Write your question after the command, for example: /buscar qué es el REINFO")
        )
        return
    await answer_question(ctx, text)


async def on_button(ctx: Ctx) -> None:
    _ = ctx._
    kit = _kb(ctx).kit
    action, args = (ctx.data[1] if len(ctx.data) > 1 else ""), ctx.data[2:]
    if action == "topics":
        show_topics(ctx, edit=True)
    elif action == "t" and len(args) == 2 and as_number(args[1]) is not None:
        view = topic_view(ctx, args[0], as_number(args[1]) or 0)
        if view is None:
            ctx.toast(_("That topic no longer exists."))
            show_topics(ctx, edit=True)
        else:
            ctx.show(*view)
    elif action == "a" and args and args[0] in kit.articles:
        article = kit.articles[args[0]]
        await toolkit.view(ctx.session, ctx.person, article.id, "browse", ctx.now)
        await show_article(ctx, article, edit=True)
    elif action == "u" and len(args) >= 2 and args[0] in kit.articles and args[1] in ("0", "1"):
        question_id = as_number(args[2]) if len(args) > 2 else None
        useful = args[1] == "1"
        await toolkit.feedback(
            ctx.session, ctx.person, args[0], useful, question_id,
            now=ctx.now, zone=ctx.t.timezone,
        )  # fmt: skip
        ctx.toast(_("Thank you for your feedback!"))
        ctx.show_keyboard(_with_choice(ctx, args[0], question_id, useful))
    elif action == "g" and not args:
        ctx.show(*glossary.letters_view(ctx))
    elif action == "g" and args:
        page = as_number(args[1]) if len(args) > 1 else 0  # buttons sent before pages: page 0
        ctx.show(*glossary.letter_view(ctx, args[0], page or 0))
    elif action == "gt" and args:
        entry = glossary.entry_by_slug(ctx, args[0])
        if entry is None:
            ctx.toast(_("That button is no longer valid."))
        else:
            ctx.show(*glossary.term_view(ctx, entry))
    else:
        ctx.toast(_("That button is no longer valid."))


NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _with_choice(ctx: Ctx, article_id: str, question_id: int | None, useful: bool) -> Keyboard:
    """The pressed message's keyboard with the feedback row showing the person's choice
    (kept in the press's update for this: bot/update_trim.py `KEEPS_KEYBOARD`)."""
    message = ctx.query.message if ctx.query else None
    markup = getattr(message, "reply_markup", None)
    feedback = feedback_row(ctx, article_id, question_id, useful)
    keyboard: Keyboard = []
    for row in markup.inline_keyboard if markup else ():
        if any((b.callback_data or "").startswith(f"kb:u:{article_id}:") for b in row):
            keyboard.append(feedback)
        else:
            keyboard.append(list(row))
    return keyboard or [feedback]


async def on_inline_query(ctx: Ctx) -> None:
    """`@bot pregunta` in any chat: matching articles, ready to share. Written in BOT_LOCALE,
    whatever the sharer chose in /perfil: what they share is read by the others in that chat,
    and Telegram gives these results to everyone who types the same query for 5 minutes
    (`is_personal=False`)."""
    query = ctx.update.inline_query
    if query is None:
        return
    shared = translator(ctx.settings.bot_locale, ctx.settings.timezone)
    index = _kb(ctx).index
    today = ctx.today
    text = query.query.strip()
    if text:
        answer = index.search(text, limit=INLINE_RESULTS)
        articles = ([answer.best] if answer.best else []) + list(answer.others)
    else:
        articles = []
    results = [
        InlineQueryResultArticle(
            id=article.id,
            title=article_label(article, today),  # ⚠️ when past its date, as on buttons
            description=article.summary,
            input_message_content=InputTextMessageContent(
                cut_html(article_messages(article, shared, today)[0], MESSAGE_LIMIT),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,  # its sources are links: no card, as in replies
            ),
        )
        for article in articles[:INLINE_RESULTS]
    ]
    ctx.later(lambda: query.answer(results, cache_time=300, is_personal=False), chat=False)


async def on_chosen_inline_result(ctx: Ctx) -> None:
    chosen = ctx.update.chosen_inline_result
    if chosen is not None and chosen.result_id in _kb(ctx).kit.articles:
        await toolkit.view(ctx.session, ctx.person, chosen.result_id, "inline", ctx.now)


FEATURE = Feature(
    commands=(
        Command("temas", topics_command, N_("Browse the Mining Tool Kit by topic"), None),
        Command("buscar", search_command, N_("Search the Tool Kit: /buscar your question"), None),
        Command("glosario", glossary.glossary_command, N_("Glossary of acronyms and terms"), None),
    ),
    buttons=(Buttons("kb", on_button, None),),
)
