"""«Enseñar a Minka»: after answering an official's question in /preguntas, the specialist
picks the article that answers it (one the answer points at, one the search found, or any
by topic); the question waits as an example question for `kb ejemplos --aceptar`.

Callback data: eg:add:<escalation>:<article> | eg:top:<escalation> (topics) |
eg:tp:<escalation>:<topic> (its articles) | eg:no:<escalation>.
"""

from __future__ import annotations

from bot.services import coverage, teaching
from bot.services.roles import Role
from handlers.base import Ctx, cut_html, esc
from handlers.keyboards import as_number, button
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Feature
from storage.repositories import toolkit as usage
from storage.repositories.toolkit import EscalationRecord

QUOTED = 300  # of the question, in the messages of this flow


def offer(ctx: Ctx, item: EscalationRecord, answer: str) -> None:
    """After an answer to a question (not an error report): the articles to teach it under."""
    if item.article_id is not None:
        return
    kb = ctx.runtime.knowledge
    rows = [
        [button(f"📚 {kb.kit.articles[a].title}", f"eg:add:{item.id}:{a}")]
        for a in teaching.suggestions(kb, item.text, answer)
    ]
    rows.append([button(ctx._("Another article…"), f"eg:top:{item.id}")])
    rows.append([button(ctx._("No, thanks"), f"eg:no:{item.id}")])
    ctx.reply(_lead(ctx), rows)


def _lead(ctx: Ctx) -> str:
    return ctx._(
        "📚 <b>Teach this question to Minka?</b>\nChoose the article that answers it: the "
        "next time someone asks the same in other words, Minka will show that article."
    )


async def on_button(ctx: Ctx) -> None:
    """eg:add:<escalation>:<article> | eg:top:<escalation> | eg:tp:<escalation>:<topic> |
    eg:no:<escalation>"""
    _ = ctx._
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    escalation_id = as_number(ctx.data[2]) if len(ctx.data) > 2 else None
    argument = ctx.data[3] if len(ctx.data) > 3 else ""
    kit = ctx.runtime.knowledge.kit
    if escalation_id is None:
        ctx.toast(_("That button is no longer valid."))
    elif action == "no":
        ctx.show(_("Understood: this question will not be taught to Minka."))
    elif action == "top":
        rows = [[button(t.name, f"eg:tp:{escalation_id}:{t.id}")] for t in kit.topics]
        rows.append([button(_("No, thanks"), f"eg:no:{escalation_id}")])
        ctx.show(_lead(ctx), rows)
    elif action == "tp" and kit.topic(argument) is not None:
        rows = [[button(a.title, f"eg:add:{escalation_id}:{a.id}")] for a in kit.in_topic(argument)]
        rows.append([button(_("« Topics"), f"eg:top:{escalation_id}")])
        ctx.show(_lead(ctx), rows)
    elif action == "add" and argument in kit.articles:
        await _teach(ctx, escalation_id, argument)
    else:
        ctx.toast(_("That button is no longer valid."))


async def _teach(ctx: Ctx, escalation_id: int, article_id: str) -> None:
    _ = ctx._
    kb = ctx.runtime.knowledge
    # Whose questions this person answers (a regional coordinator: their regions'), as in
    # /preguntas: a forged button with another region's question is refused, not echoed.
    item = await usage.get_escalation(ctx.session, escalation_id)
    regions = coverage.questions_of(ctx.role, ctx.coverage)
    if item is not None and regions is not None and item.region_code not in regions:
        await refuse_scope(ctx, f"question:{item.id}")
        return
    verdict = await teaching.teach(ctx.session, kb, escalation_id, article_id)
    question = cut_html(esc(verdict.text), QUOTED)
    if verdict.refused is None:
        ctx.show(
            _(
                "📚 <b>Taught.</b> «{question}» → «{title}».\nMinka will learn it when the "
                "examples are published (<code>python -m bot kb ejemplos --aceptar</code>)."
            ).format(question=question, title=esc(kb.kit.articles[article_id].title))
        )
    elif verdict.refused in (teaching.REPEATED, teaching.ACCEPTED):
        other = kb.kit.articles.get(verdict.other_article or "")
        if other is None:  # under sin-respuesta
            ctx.toast(
                _("That question is already an example of what the Tool Kit does not answer."),
                alert=True,
            )
        else:
            ctx.toast(
                _("That question is already an example of «{title}».").format(title=other.title),
                alert=True,
            )
    elif verdict.refused == teaching.PERSONAL:
        ctx.show(
            _(
                "This question names a person, so it cannot be an example: examples are "
                "published with the Tool Kit. You can add it without the name to examples.yaml."
            )
        )
    elif verdict.refused == teaching.NO_WORDS:
        ctx.toast(_("This question has no words Minka can learn from."), alert=True)
    else:
        ctx.show(_("This question can no longer be taught to Minka."))


FEATURE = Feature(buttons=(Buttons("eg", on_button, Role.SPECIALIST),))
