"""/casos: the register of cases attended by the regional governments with the support of the
Regional Teams. «Register a case» (handlers/case_form.py), «My cases», and for coordinators
«Cases of my regions»; the case view with its history, status changes with a note, and the
formalization step.

Callback data: cs:menu | cs:new | cs:mine:<page> | cs:regions:<page> | cs:view:<case> |
cs:status:<case>:<status> | cs:cancel:<case> | cs:step:<case> | cs:setstep:<case>:<step>.
Every press asks the rules (bot/services/cases.py) again whether the person may see the case.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.services import cases as rules
from bot.services import coverage
from bot.services.access import Needs
from bot.services.cases import (
    FORMALIZATION,
    KINDS,
    STATUSES,
    STEPS,
    STRATA,
    CaseError,
    NotAllowed,
    Viewer,
)
from bot.services.roles import Role, allows
from handlers import case_form
from handlers.base import Ctx, Keyboard, esc
from handlers.keyboards import as_number, button
from handlers.questions import pager
from handlers.registry import Buttons, Command, Feature
from storage.repositories import cases as repo
from storage.repositories.cases import CaseEventRecord, CaseRecord
from storage.repositories.conversations import clear_state, get_state, set_state

NOTE_FORM = "case_note"
PER_PAGE = 8
HISTORY_BUDGET = 3000  # characters of history shown; older changes are summarised
ICONS = {"open": "🆕", "in_progress": "⏳", "resolved": "✅", "referred": "↪️", "archived": "🗄"}


def viewer(ctx: Ctx) -> Viewer:
    person = ctx.person
    return Viewer(person.id if person else None, ctx.role, person.coverage if person else None)


def _registered(ctx: Ctx) -> bool:
    if ctx.person is not None and ctx.person.is_registered:
        return True
    text = ctx._("To use the case register, first register with /start.")
    if ctx.query is not None:
        ctx.toast(text, alert=True)
    else:
        ctx.reply(text)
    return False


def _label(ctx: Ctx, table: dict[str, str], code: str | None) -> str:
    return ctx._(table[code]) if code in table else (code or "—")


def _menu(ctx: Ctx, *, edit: bool) -> None:
    _ = ctx._
    text = _(
        "<b>Cases</b>\nCases attended by the regional governments with the support of the "
        "Regional Teams: register them and follow how they go."
    )
    keyboard = [
        [button(_("📝 Register a case"), "cs:new")],
        [button(_("📁 My cases"), "cs:mine:0")],
    ]
    if allows(ctx.role, Role.COORDINATOR):
        keyboard.append([button(_("🗺 Cases of my regions"), "cs:regions:0")])
    keyboard.append([button(_("« Main menu"), "menu:main")])
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def cases_command(ctx: Ctx) -> None:
    if _registered(ctx):
        _menu(ctx, edit=False)


async def show_list(ctx: Ctx, which: str, page: int, *, edit: bool = True) -> None:
    """«My cases» (which="mine") or «Cases of my regions» (which="regions"), newest first."""
    _ = ctx._
    if not _registered(ctx):
        return
    who = viewer(ctx)
    load = rules.mine if which == "mine" else rules.of_my_regions
    listing = await load(ctx.session, who, offset=max(page, 0) * PER_PAGE, limit=PER_PAGE)
    pages = max(1, -(-listing.total // PER_PAGE))
    if page >= pages and page > 0:
        listing = await load(ctx.session, who, offset=(pages - 1) * PER_PAGE, limit=PER_PAGE)
        page = pages - 1
    if which == "mine":
        text = _("<b>My cases</b> ({count})").format(count=ctx.t.number(listing.total))
    elif (names := await coverage.region_names(ctx.session, ctx.coverage)) is None:
        text = _("<b>Cases of all regions</b> ({count})").format(count=ctx.t.number(listing.total))
    else:
        text = _("<b>Cases of {region}</b> ({count})").format(
            region=esc(", ".join(names) or "—"), count=ctx.t.number(listing.total)
        )
    if not listing.cases:
        text += "\n\n" + _("There are no cases here yet.")
    else:
        text += "\n\n" + _("Choose a case to see it and update it.")
    keyboard: Keyboard = [
        [button(_case_label(ctx, case), f"cs:view:{case.id}")] for case in listing.cases
    ]
    keyboard.append(pager(ctx, page, pages, lambda n: f"cs:{which}:{n}"))
    keyboard.append([button(_("📝 Register a case"), "cs:new"), button(_("« Back"), "cs:menu")])
    keyboard = [row for row in keyboard if row]
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


def _case_label(ctx: Ctx, case: CaseRecord) -> str:
    place = case.province or case.region_name
    kind = _label(ctx, KINDS, case.kind)
    return f"#{case.id} {ICONS.get(case.status, '')} {kind} · {place}"


def _history_line(ctx: Ctx, event: CaseEventRecord) -> str:
    _ = ctx._
    when = ctx.t.datetime(event.at)
    who = esc(event.person_name or "—")
    if event.kind == "created":
        line = _("{date}: registered by {name}").format(date=when, name=who)
    elif event.kind == "status":
        line = _("{date}: «{old}» → «{new}», by {name}").format(
            date=when,
            old=_label(ctx, STATUSES, event.from_value),
            new=_label(ctx, STATUSES, event.to_value),
            name=who,
        )
    else:
        line = _("{date}: step «{step}», by {name}").format(
            date=when, step=_label(ctx, STEPS, event.to_value), name=who
        )
    if event.note:
        line += "\n    <i>" + esc(event.note) + "</i>"
    return "• " + line


async def case_text(ctx: Ctx, case: CaseRecord) -> str:
    _ = ctx._

    def row(label: str, value: str) -> str:
        return f"<b>{label}:</b> {value}"

    lines = [
        _("📁 <b>Case No. {number}</b>").format(number=case.id),
        row(_("Kind"), _label(ctx, KINDS, case.kind)),
        row(_("Region"), esc(case.region_name)),
        row(_("Province"), esc(case.province or "—")),
        row(_("Stratum"), _label(ctx, STRATA, case.stratum)),
        row(_("Regional Team support"), _("Yes") if case.supported else _("No")),
    ]
    if case.kind == FORMALIZATION:
        lines.append(row(_("Formalization step"), _label(ctx, STEPS, case.formalization_step)))
    lines += [
        row(_("Status"), ICONS.get(case.status, "") + " " + _label(ctx, STATUSES, case.status)),
        "",
        "<b>" + _("Description") + "</b>",
        esc(case.description),
        "",
        "<b>" + _("History") + "</b>",
    ]
    events = [_history_line(ctx, event) for event in await repo.history(ctx.session, case.id)]
    shown: list[str] = []
    for line in reversed(events):  # the newest changes first fill the budget
        if shown and sum(map(len, shown)) + len(line) > HISTORY_BUDGET:
            break
        shown.insert(0, line)
    if len(shown) < len(events):
        hidden = len(events) - len(shown)
        lines.append(
            ctx.t.ngettext(
                "… {count} earlier change not shown", "… {count} earlier changes not shown", hidden
            ).format(count=hidden)
        )
    return "\n".join(lines + shown)


def case_keyboard(ctx: Ctx, case: CaseRecord) -> Keyboard:
    _ = ctx._
    keyboard: Keyboard = [
        [
            button(
                _("➡️ {status}").format(status=_label(ctx, STATUSES, status)),
                f"cs:status:{case.id}:{status}",
            )
        ]
        for status in rules.next_statuses(case)
    ]
    if rules.step_updatable(case):
        keyboard.append([button(_("🔄 Update the step"), f"cs:step:{case.id}")])
    mine = ctx.person is not None and ctx.person.id == case.person_id
    if mine or not allows(ctx.role, Role.COORDINATOR):
        keyboard.append([button(_("« My cases"), "cs:mine:0")])
    else:
        keyboard.append([button(_("« Cases of my regions"), "cs:regions:0")])
    return keyboard


async def show_case(ctx: Ctx, case: CaseRecord, *, edit: bool, notice: str = "") -> None:
    text = (notice + "\n\n" if notice else "") + await case_text(ctx, case)
    if edit:
        ctx.show(text, case_keyboard(ctx, case))
    else:
        ctx.reply(text, case_keyboard(ctx, case))


async def on_button(ctx: Ctx) -> None:
    """cs:<action>[:<argument>...] (see the module's docstring)."""
    _ = ctx._
    if not _registered(ctx):
        return
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    arguments = ctx.data[2:]
    number = as_number(arguments[0]) if arguments else None
    if action == "menu":
        _menu(ctx, edit=True)
    elif action == "new":
        await case_form.NEW_CASE.begin(ctx)
    elif action == "mine" and number is not None:
        await show_list(ctx, "mine", number)
    elif action == "regions" and number is not None:
        if not allows(ctx.role, Role.COORDINATOR):
            ctx.toast(_("Only coordinators can do that."), alert=True)
            return
        await show_list(ctx, "regions", number)
    elif action in ("view", "cancel", "status", "step", "setstep") and number is not None:
        try:
            case = await rules.visible(ctx.session, number, viewer(ctx))
        except NotAllowed as error:
            await coverage.refused(
                ctx.session,
                telegram_id=ctx.user.id,
                action="button cs",
                target=f"case:{number}",
                now=ctx.now,
            )
            ctx.toast(_(error.message), alert=True)
            return
        await _on_case(ctx, action, case, arguments[1:])
    else:
        ctx.toast(_("That button is no longer valid."))


async def _on_case(ctx: Ctx, action: str, case: CaseRecord, rest: list[str]) -> None:
    _ = ctx._
    choice = rest[0] if rest else ""
    if action in ("view", "cancel"):
        state = await get_state(ctx.session, ctx.user.id)
        if state is not None and state.flow == NOTE_FORM:
            await clear_state(ctx.session, ctx.user.id)
        await show_case(ctx, case, edit=True)
    elif action == "status":
        if choice not in rules.next_statuses(case):
            ctx.toast(_("That change of status is not possible for this case."), alert=True)
            return
        await set_state(
            ctx.session, ctx.user.id, NOTE_FORM, "note", {"case": case.id, "status": choice}
        )
        ctx.reply(
            _(
                "Case No. {number}: «{old}» → «{new}».\nWrite a <b>note</b> that explains the "
                "change (up to 500 characters)."
            ).format(
                number=case.id,
                old=_label(ctx, STATUSES, case.status),
                new=_label(ctx, STATUSES, choice),
            ),
            [[button(_("Cancel"), f"cs:cancel:{case.id}")]],
        )
    elif action == "step":
        if not rules.step_updatable(case):
            ctx.toast(_("Only open formalization cases have a step to update."), alert=True)
            return
        keyboard = [
            [
                button(
                    ("✓ " if code == case.formalization_step else "") + _(label),
                    f"cs:setstep:{case.id}:{code}",
                )
            ]
            for code, label in STEPS.items()
        ]
        keyboard.append([button(_("« Back"), f"cs:view:{case.id}")])
        ctx.show(
            _("Case No. {number}: which <b>step of formalization</b> has it reached?").format(
                number=case.id
            ),
            keyboard,
        )
    else:  # setstep
        try:
            case = await rules.set_step(
                ctx.session, case.id, viewer(ctx), step=choice, now=ctx.runtime.clock.now()
            )
        except CaseError as error:
            ctx.toast(_(error.message).format(**error.params), alert=True)
            return
        ctx.toast(_("Saved."))
        await show_case(ctx, case, edit=True)


async def on_note_text(ctx: Ctx, text: str) -> None:
    """The note of a status change: recorded with the time and who wrote it."""
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None:
        return
    case_id, status = int(state.data["case"]), str(state.data["status"])
    try:
        case = await rules.change_status(
            ctx.session,
            case_id,
            viewer(ctx),
            status=status,
            note=text,
            now=ctx.runtime.clock.now(),
        )
    except CaseError as error:
        if error.message != rules.NOTE_PROBLEM:  # nothing the person can fix by retyping
            await clear_state(ctx.session, ctx.user.id)
        ctx.reply(_(error.message).format(**error.params))
        return
    await clear_state(ctx.session, ctx.user.id)
    notice = _("✅ Case No. {number} is now «{status}».").format(
        number=case.id, status=_label(ctx, STATUSES, case.status)
    )
    await show_case(ctx, case, edit=False, notice=notice)


FEATURE = Feature(
    commands=(
        # Listed to registered people only; anyone else who types it is asked to register.
        Command(
            "casos",
            cases_command,
            N_("Cases attended: register and follow them"),
            None,
            needs=Needs.REGISTERED,
        ),
    ),
    buttons=(Buttons("cs", on_button, None),),
    forms={NOTE_FORM: on_note_text},
)
