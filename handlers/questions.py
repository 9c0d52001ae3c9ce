"""The profile questions, shared by registration ("reg") and profile editing ("prof").

Callback data: "<prefix>:<step>:<value>" answers `step`; "<prefix>:page:<n>" pages the regions;
"<prefix>:back:<step>" goes back from `step`. Carrying the step makes an old button harmless.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import N_
from bot.services import profile
from bot.services.profile import INSTITUTIONS, SEXES, STEPS
from bot.services.regions import match_region, normalize
from handlers.base import Ctx, Keyboard, esc
from handlers.keyboards import button, page_bounds, rows
from storage.repositories.regions import RegionRecord, list_regions

REGIONS_PER_PAGE = 10
POSITION_SKIPPED = "-"


async def ask(ctx: Ctx, prefix: str, step: str, *, page: int = 0, edit: bool = False) -> None:
    """Show the question for `step` (editing the pressed message when `edit`)."""
    text, keyboard = await render(ctx, prefix, step, page=page)
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def render(ctx: Ctx, prefix: str, step: str, *, page: int = 0) -> tuple[str, Keyboard]:
    _ = ctx._
    progress = ""
    if prefix == "reg":
        progress = _("Step {number} of {total}").format(
            number=STEPS.index(step) + 1, total=len(STEPS)
        )
        progress = f"<i>{progress}</i>\n"
    keyboard: Keyboard
    if step == "name":
        text = _("What is your <b>full name</b>? Type it, or use your Telegram name.")
        keyboard = [
            [button(_("Use «{name}»").format(name=ctx.user.full_name), f"{prefix}:name:tg")]
        ]
    elif step == "region":
        text = _("Which <b>region</b> do you work in? Choose it below or type its name.")
        keyboard = await region_keyboard(ctx, prefix, page)
    elif step == "institution":
        text = _("Which <b>institution</b> do you work for?")
        keyboard = [
            [button(_(label), f"{prefix}:institution:{code}")]
            for code, label in INSTITUTIONS.items()
        ]
    elif step == "position":
        text = _(
            "What is your <b>position</b>? For example: «Director Regional de Energía y Minas». "
            "You can skip this question."
        )
        keyboard = [[button(_("Skip"), f"{prefix}:position:{POSITION_SKIPPED}")]]
    elif step == "sex":
        text = _(
            "What is your <b>sex</b>?\n"
            "We ask because the programme reports the participation of women and men; "
            "it is only used in anonymous counts."
        )
        keyboard = [[button(_(label), f"{prefix}:sex:{code}")] for code, label in SEXES.items()]
    else:
        raise ValueError(f"unknown step {step!r}")
    keyboard.append(back_row(ctx, prefix, step))
    return progress + text, [row for row in keyboard if row]


def back_row(ctx: Ctx, prefix: str, step: str) -> list:
    if prefix == "prof":
        return [button(ctx._("« Back to my profile"), "prof:view")]
    if profile.previous_step(step) is None:
        return []
    return [button(ctx._("« Back"), f"reg:back:{step}")]


async def region_keyboard(ctx: Ctx, prefix: str, page: int) -> Keyboard:
    regions = await list_regions(ctx.session)
    page, first, pages = page_bounds(len(regions), page, REGIONS_PER_PAGE)
    shown = regions[first : first + REGIONS_PER_PAGE]
    keyboard = rows([button(r.name, f"{prefix}:region:{r.code}") for r in shown], 2)
    keyboard.append(pager(ctx, page, pages, lambda number: f"{prefix}:page:{number}"))
    return [row for row in keyboard if row]


def pager(ctx: Ctx, page: int, pages: int, data_for: Callable[[int], str]) -> list:
    """◀ Anterior / Siguiente ▶, as far as there are pages in each direction."""
    nav = []
    if page > 0:
        nav.append(button(ctx._("◀ Previous"), data_for(page - 1)))
    if page < pages - 1:
        nav.append(button(ctx._("Next ▶"), data_for(page + 1)))
    return nav


def candidates_keyboard(prefix: str, candidates: tuple[RegionRecord, ...]) -> Keyboard:
    return [[button(r.name, f"{prefix}:region:{r.code}")] for r in candidates]


async def typed_answer(ctx: Ctx, prefix: str, step: str, text: str) -> str | None:
    """What a typed answer to `step` stands for (a name, a code), or None after telling the
    person what to do instead (choose among candidates, use the buttons)."""
    _ = ctx._
    if step in ("name", "position"):
        return text
    if step == "region":
        match = match_region(text, await list_regions(ctx.session))
        if match.region is not None:
            # Say what was understood: the match forgives typos, the person should see it.
            ctx.reply("✅ " + answer_line(ctx, step, match.region.code, match.region.name))
            return match.region.code
        if match.candidates:
            ctx.reply(
                _("Did you mean one of these regions?"),
                candidates_keyboard(prefix, match.candidates),
            )
        else:
            ctx.reply(
                _(
                    "I did not recognise «{text}» as a region. Please choose it from the list."
                ).format(text=esc(text[:60])),
                await region_keyboard(ctx, prefix, 0),
            )
        return None
    code = match_option(ctx, INSTITUTIONS if step == "institution" else SEXES, text)
    if code is None:
        ctx.reply(_("Please answer with one of the buttons."))
        await ask(ctx, prefix, step)
    return code


def match_option(ctx: Ctx, options: dict[str, str], text: str) -> str | None:
    """A fixed-list answer typed instead of pressed: accept it if it names one option."""
    typed = normalize(text)
    for code, label in options.items():
        if typed and typed in (normalize(ctx._(label)), normalize(code)):
            return code
    return None


FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "region": N_("Region"),
    "institution": N_("Institution"),
    "position": N_("Position"),
    "sex": N_("Sex"),
}


def answer_line(ctx: Ctx, step: str, value: str | None, region_name: str | None = None) -> str:
    """'<b>Field:</b> value' for one answer, with codes shown as their labels."""
    _ = ctx._
    if step == "region":
        shown = region_name
    elif step == "institution" and value:
        shown = _(INSTITUTIONS[value])
    elif step == "sex" and value:
        shown = _(SEXES[value])
    else:
        shown = value
    shown = shown or _("(not given)")
    return f"<b>{_(FIELD_LABELS[step])}:</b> {esc(shown)}"


def summary_lines(ctx: Ctx, values: dict[str, str | None], region_name: str | None) -> str:
    """All the answers, one line each."""
    return "\n".join(answer_line(ctx, step, values.get(step), region_name) for step in STEPS)
