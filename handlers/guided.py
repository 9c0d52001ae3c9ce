"""Guided forms (/nuevo_taller, /nueva_reunion, the case register): one question at a time,
typed or pressed answers, optional steps with «Omitir», a summary to confirm, /cancelar.

The answers live in the conversation state (database), so a restart loses nothing.
Callback data: <prefix>:<step>:<value> | <prefix>:page:<n> | <prefix>:confirm | <prefix>:cancel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.i18n import N_
from bot.services.dates import parse_date, parse_datetime, parse_end
from bot.services.form_names import FORM_NAMES
from bot.services.regions import match_region, normalize
from handlers.base import Ctx, Keyboard, esc
from handlers.guided_answers import document, message_html
from handlers.keyboards import as_number, button, page_bounds, rows, within_budget
from handlers.questions import pager
from storage.repositories.conversations import (
    REGISTRATION_PAUSED,
    clear_state,
    get_state,
    set_state,
)
from storage.repositories.regions import RegionRecord, get_region, list_regions

CENTRAL = "central"  # the kind of MINEM's central level in the regions table
NONE = "-"  # the value of «Omitir» and of "no region"
Data = dict[str, Any]
YES_NO: dict[str, str] = {"yes": N_("Yes"), "no": N_("No")}
_TYPED_YES = {"si", "yes", "s", "y"}
_TYPED_NO = {"no", "n"}


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    prompt: str  # msgid
    # text | message | date (a day, stored as ISO) | start | end | region | choice | yesno
    # (stored as a bool) | number | url | document (a file sent with 📎, stored as
    # {"file_id", "name", "size"})
    kind: str = "text"
    optional: bool = False
    limit: int = 200
    choices: Mapping[str, str] = field(default_factory=dict)  # code -> msgid
    # Choices computed from the answers so far (code -> label shown as it is, e.g. a name).
    options: Callable[[Data], Mapping[str, str]] | None = None
    # Reads a typed answer to a choice step: the code it names, or None.
    match: Callable[[Data, str], str | None] | None = None
    asked_if: Callable[[Data], bool] | None = None  # e.g. only after a given choice
    # Extra check of a typed answer: a Spanish explanation when it is not acceptable.
    check: Callable[[Ctx, str], Awaitable[str | None]] | None = None
    national: bool = True  # region steps: offer «National / virtual» and MINEM's central level
    own_first: bool = False  # region steps: the person's own region as the first button
    # Region steps of staff forms: only the regions the person covers (bot.services.coverage),
    # and «National / virtual» only for national coverage.
    covered_only: bool = False
    per_row: int = 1  # choice steps: buttons per row
    # Choice steps: at most this many buttons (Telegram refuses large keyboards); the other
    # choices are reached by typing (`match`).
    shown: int | None = None
    # A line computed from the answers so far, shown under the prompt (e.g. a prefilled value).
    hint: Callable[[Ctx, Data], str] | None = None
    # What to say when a typed answer cannot be read, instead of the kind's usual message
    # (msgid; e.g. a study visit's return is a date, not a meeting's end time).
    invalid: str | None = None

    def labels(self, data: Data) -> Mapping[str, str]:
        """code -> label of a choice step (msgids for `choices`, plain text for `options`)."""
        return self.options(data) if self.options is not None else self.choices


@dataclass(frozen=True)
class GuidedForm:
    flow: str
    prefix: str
    heading: str  # msgid
    steps: tuple[Step, ...]
    summary: Callable[[Ctx, Data], Awaitable[list[tuple[str, Any]]]]
    confirm_label: str  # msgid
    on_confirm: Callable[[Ctx, Data], Awaitable[None]]
    cancelled: str  # msgid
    preview: Callable[[Ctx, Data], str] | None = None  # shown (as HTML) before the summary

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    async def begin(self, ctx: Ctx, initial: Data | None = None) -> None:
        """Start the form; `initial` carries context (e.g. which meeting is being edited). A
        different form left half done is replaced: said, not dropped in silence."""
        left = ctx.form.flow if ctx.form is not None else None
        await set_state(ctx.session, ctx.user.id, self.flow, self.steps[0].name, initial or {})
        heading = ctx._(self.heading)
        if left is not None and left not in (self.flow, REGISTRATION_PAUSED) and left in FORM_NAMES:
            heading = (
                ctx._("What you had half done was set aside: {form}.").format(
                    form=ctx._(FORM_NAMES[left])
                )
                + "\n\n"
                + heading
            )
        ctx.reply(heading)
        await self.ask(ctx, self.steps[0], data=initial)

    async def ask_again(self, ctx: Ctx, data: Data, problem: str | None, name: str) -> bool:
        """At confirmation, when `problem` (a msgid) says an answer no longer holds (a start
        that passed while the form waited): say why and ask step `name` again, then the steps
        after it, every answer kept meanwhile. Whether it was asked again."""
        if problem is None:
            return False
        ctx.reply(ctx._(problem))
        await set_state(ctx.session, ctx.user.id, self.flow, name, data)
        await self.ask(ctx, self.step(name), data=data)
        return True

    async def ask(
        self,
        ctx: Ctx,
        step: Step,
        *,
        page: int = 0,
        edit: bool = False,
        data: Data | None = None,
    ) -> None:
        _ = ctx._
        keyboard: Keyboard = []
        if step.kind == "region":
            keyboard = await self._region_keyboard(ctx, step, page)
        elif step.kind == "choice":  # at most `shown`, and as many as Telegram takes
            choices = [
                button(_(label) if step.options is None else label, self._data(step, code))
                for code, label in list(step.labels(data or {}).items())[: step.shown]
            ]
            keyboard = rows(within_budget(choices), step.per_row)
        elif step.kind == "yesno":
            keyboard = [
                [button(_(label), self._data(step, code)) for code, label in YES_NO.items()]
            ]
        if step.optional:
            keyboard.append([button(_("Skip"), f"{self.prefix}:{step.name}:{NONE}")])
        keyboard.append([button(_("Cancel"), f"{self.prefix}:cancel")])
        text = self._question(ctx, step, data or {})
        keyboard = [row for row in keyboard if row]
        if edit:
            ctx.show(text, keyboard)
        else:
            ctx.reply(text, keyboard)

    def _question(self, ctx: Ctx, step: Step, data: Data) -> str:
        """«Step n of m», the step's prompt and its hint, as asked (HTML)."""
        _ = ctx._
        number = self.steps.index(step) + 1
        text = "<i>" + _("Step {number} of {total}").format(number=number, total=len(self.steps))
        text += "</i>\n" + _(step.prompt)
        if step.hint is not None:
            text += "\n" + step.hint(ctx, data)
        return text

    def _echo(self, ctx: Ctx, step: Step, chosen: str, data: Data) -> None:
        """The question whose button was pressed, with the answer under it and no buttons
        left: the chat keeps what was chosen, and the choice cannot be pressed twice."""
        ctx.show(self._question(ctx, step, data) + "\n✔️ <b>" + esc(chosen) + "</b>")

    def _data(self, step: Step, value: str) -> str:
        return f"{self.prefix}:{step.name}:{value}"

    async def _region_keyboard(self, ctx: Ctx, step: Step, page: int) -> Keyboard:
        _ = ctx._
        regions = await _regions(ctx, step)
        page, first, pages = page_bounds(len(regions), page, 10)
        shown = regions[first : first + 10]
        keyboard = rows([button(r.name, self._data(step, r.code)) for r in shown], 2)
        keyboard.append(pager(ctx, page, pages, lambda n: f"{self.prefix}:page:{n}"))
        code = ctx.person.region_code if ctx.person else None
        own = next((r for r in regions if r.code == code), None)
        if step.own_first and page == 0 and own is not None:
            label = _("📍 {region} (your region)").format(region=own.name)
            keyboard.insert(0, [button(label, self._data(step, own.code))])
        if _national_allowed(ctx, step):
            keyboard.append([button(_("National / virtual"), self._data(step, NONE))])
        return keyboard

    async def _advance(self, ctx: Ctx, data: Data, step: Step) -> None:
        index = self.steps.index(step)
        following = next(
            (s for s in self.steps[index + 1 :] if s.asked_if is None or s.asked_if(data)), None
        )
        if following is not None:
            await set_state(ctx.session, ctx.user.id, self.flow, following.name, data)
            await self.ask(ctx, following, data=data)
            return
        await set_state(ctx.session, ctx.user.id, self.flow, "summary", data)
        if self.preview is not None:
            ctx.reply(self.preview(ctx, data))
        lines = [
            f"<b>{label}:</b> {esc('—' if value is None else value)}"
            for label, value in await self.summary(ctx, data)
        ]
        ctx.reply(
            ctx._("<b>Please check:</b>") + "\n\n" + "\n".join(lines),
            [
                [button(ctx._(self.confirm_label), f"{self.prefix}:confirm")],
                [button(ctx._("Cancel"), f"{self.prefix}:cancel")],
            ],
        )

    async def on_text(self, ctx: Ctx, text: str) -> None:
        _ = ctx._
        state = await get_state(ctx.session, ctx.user.id)
        if state is None:
            return
        if state.step == "summary":
            ctx.reply(
                _("Please press «{confirm}» or «Cancel».").format(confirm=_(self.confirm_label))
            )
            return
        step, data = self.step(state.step), dict(state.data)
        value, problem = await self._read(ctx, step, " ".join(text.split()), data)
        if problem is not None and step.invalid is not None:
            problem = _(step.invalid)
        elif problem is None and step.check is not None:
            problem = await step.check(ctx, value)
        if problem is not None:
            ctx.reply(problem)
            if step.kind in ("region", "choice", "yesno"):
                await self.ask(ctx, step, data=data)
            return
        data[step.name] = value
        await self._advance(ctx, data, step)

    async def _read(self, ctx: Ctx, step: Step, value: str, data: Data) -> tuple[Any, str | None]:
        """The stored value for a typed answer, or a Spanish explanation of what is wrong."""
        _ = ctx._
        zone = ctx.settings.timezone
        if step.kind == "text":
            if not value or len(value) > step.limit:
                return None, _("Please write between 1 and {limit} characters.").format(
                    limit=step.limit
                )
            return value, None
        if step.kind == "message":
            message = ctx.update.effective_message
            if message is None or not message.text or len(message.text) > step.limit:
                return None, _(
                    "Please write the message as text, up to {limit} characters."
                ).format(limit=step.limit)
            return message_html(message), None  # keeps the bold, italics and links as written
        if step.kind == "document":
            return document(ctx)
        if step.kind == "url":
            if not value.startswith(("https://", "http://")) or len(value) > 500 or " " in value:
                return None, _("Please write a link that starts with https://, or press «Skip».")
            return value, None
        if step.kind == "date":
            day = parse_date(value, ctx.today)
            if day is None:
                return None, _(
                    "I could not read that date. Write the day, for example <code>15/01</code>, "
                    "<code>15 de enero</code> or <code>el viernes</code>."
                )
            return day.isoformat(), None
        if step.kind == "start":
            moment = parse_datetime(value, zone, ctx.runtime.clock.now().astimezone(zone).date())
            if moment is None:
                return None, _(
                    "I could not read that date. Write the day and the time, for example "
                    "<code>15/01 09:00</code>."
                )
            return moment.isoformat(), None
        if step.kind == "end":
            start = datetime.fromisoformat(data["start"])
            moment = parse_end(value, start, zone)
            if moment is None or moment <= start:
                return None, _(
                    "The end must be a valid time after the start (for example 13:00 or 4h)."
                )
            return moment.isoformat(), None
        if step.kind == "number":
            amount = as_number(value)
            if amount is None or not 1 <= amount <= 10000:
                return None, _("Please write a whole number, or press «Skip».")
            return amount, None
        if step.kind == "region":
            match = match_region(value, await _regions(ctx, step))
            if match.region is None:
                return None, _("Please choose the region with the buttons.")
            return match.region.code, None
        if step.kind == "yesno" and normalize(value) in _TYPED_YES | _TYPED_NO:
            return normalize(value) in _TYPED_YES, None
        if step.kind == "choice" and step.match is not None and value:
            code = step.match(data, value)
            if code is not None and code in step.labels(data):
                return code, None
        return None, _("Please answer with one of the buttons.")

    async def on_button(self, ctx: Ctx) -> None:
        _ = ctx._
        state = await get_state(ctx.session, ctx.user.id)
        action = ctx.data[1] if len(ctx.data) > 1 else ""
        argument = ctx.data[2] if len(ctx.data) > 2 else ""
        if action == "cancel":
            if state is not None and state.flow == self.flow:
                await clear_state(ctx.session, ctx.user.id)
            ctx.show(_(self.cancelled))
            return
        if state is None or state.flow != self.flow:
            ctx.toast(_("That button is no longer valid."))
            return
        data = dict(state.data)
        if action == "confirm" and state.step == "summary":
            await clear_state(ctx.session, ctx.user.id)
            await self.on_confirm(ctx, data)
            return
        page = as_number(argument)
        if action == "page" and page is not None and self.step(state.step).kind == "region":
            await self.ask(ctx, self.step(state.step), page=page, edit=True, data=data)
            return
        if action != state.step:
            ctx.toast(_("That button is no longer valid."))
            return
        step = self.step(action)
        asked = dict(data)  # the answers the question was asked with (its hint)
        if argument == NONE and step.kind == "region" and _national_allowed(ctx, step):
            data[step.name], chosen = None, _("National / virtual")
        elif argument == NONE and step.optional:
            data[step.name], chosen = None, _("Skipped")
        elif step.kind == "yesno" and argument in YES_NO:
            data[step.name], chosen = argument == "yes", _(YES_NO[argument])
        elif chosen := await self._chosen(ctx, step, argument, data):
            data[step.name] = argument
        else:
            ctx.toast(_("That button is no longer valid."))
            return
        self._echo(ctx, step, chosen, asked)
        await self._advance(ctx, data, step)

    async def _chosen(self, ctx: Ctx, step: Step, argument: str, data: Data) -> str | None:
        """The label of a region or a choice pressed, if it is one the step offers."""
        if step.kind == "region":
            region = await get_region(ctx.session, argument)
            offered = {r.code for r in await _regions(ctx, step)}
            return region.name if region is not None and region.code in offered else None
        labels = step.labels(data)
        if step.kind != "choice" or argument not in labels:
            return None
        return ctx._(labels[argument]) if step.options is None else labels[argument]


async def to_come(ctx: Ctx, value: str) -> str | None:
    """A start step's check: the moment is still to come (a meeting or a broadcast in the past
    would be announced for nothing); says what time it is now in Lima."""
    if datetime.fromisoformat(value) > ctx.runtime.clock.now():
        return None
    return ctx._(
        "That moment has already passed: it is now {now}. Please write a date to come."
    ).format(now=ctx.t.datetime(ctx.runtime.clock.now()))


async def _regions(ctx: Ctx, step: Step) -> list[RegionRecord]:
    """The regions a region step offers: without MINEM's central level unless `national`."""
    regions = await list_regions(ctx.session)
    if not step.national:
        regions = [r for r in regions if r.kind != CENTRAL]
    if step.covered_only:
        regions = [r for r in regions if ctx.coverage.covers(r.code)]
    return regions


def _national_allowed(ctx: Ctx, step: Step) -> bool:
    return step.national and (not step.covered_only or ctx.coverage.national)
