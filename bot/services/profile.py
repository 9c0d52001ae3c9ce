"""Registration and profile rules: consent, the questions asked, and what a valid answer is."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services import access, staff
from bot.services.roles import Role, effective_role
from bot.services.text import clean_text
from storage.repositories import conversations, people, regions
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.people import PersonRecord

# Registration stopped with /cancelar (REGISTRATION_PAUSED): the answers kept, not a form
# (typed text goes to the Tool Kit again; a form begun meanwhile keeps it aside:
# storage/repositories/conversations.py); /start, a check-in or a registration button goes on
# where it stopped.
REGISTRATION = conversations.REGISTRATION
REGISTRATION_PAUSED = conversations.REGISTRATION_PAUSED
PROFILE_EDIT = "profile"

# The questions, in the order registration asks them.
STEPS: tuple[str, ...] = ("name", "region", "institution", "position", "sex")
SUMMARY = "summary"

INSTITUTIONS: dict[str, str] = {
    "gr": N_("Regional government (DREM/GREM)"),
    "minem": N_("MINEM"),
    "regional_team": N_("Regional support team"),
    "other": N_("Other"),
}
SEXES: dict[str, str] = {
    "female": N_("Woman"),
    "male": N_("Man"),
    "undisclosed": N_("Prefer not to say"),
}
NAME_MAX = 120
POSITION_MAX = 120


class InvalidAnswer(ValueError):
    """The answer cannot be stored; `message` is an untranslated msgid explaining why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Identity:
    """What Telegram tells us about the person, nothing more."""

    telegram_id: int
    username: str | None
    display_name: str


def validate_name(text: str) -> str:
    name = clean_text(text)
    letters = sum(ch.isalpha() for ch in name)
    if letters < 2:
        raise InvalidAnswer(N_("Please write your full name (at least two letters)."))
    if len(name) > NAME_MAX:
        raise InvalidAnswer(N_("That name is too long; please use at most 120 characters."))
    if re.search(r"[<>{}\[\]\\/@#$%^*=|~`]", name) or name.startswith("/"):
        raise InvalidAnswer(
            N_("A name cannot contain symbols such as &lt; &gt; / @ #. Please try again.")
        )
    return name


def validate_position(text: str) -> str:
    position = clean_text(text)
    if not position:
        raise InvalidAnswer(N_("Please write your position, or press «Skip»."))
    if len(position) > POSITION_MAX:
        raise InvalidAnswer(N_("That is too long; please use at most 120 characters."))
    return position


def next_step(step: str) -> str:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else SUMMARY


def previous_step(step: str) -> str | None:
    if step == SUMMARY:
        return STEPS[-1]
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


async def give_consent(
    session: AsyncSession,
    identity: Identity,
    locale: str,
    then: str | None = None,
    *,
    admin_ids: Collection[int] = (),
    now: datetime,
) -> PersonRecord:
    """Create the person (the first thing Minka stores about anyone) and start registration;
    `then` is what to do once registered (a deep-link payload); `now`: the runtime's clock."""
    existing = await people.get(session, identity.telegram_id)
    if existing is not None:
        return existing
    role, coverage = await people.take_role_grant(session, identity.telegram_id) or (
        Role.OFFICIAL.value,
        None,
    )
    person = await people.create(
        session,
        telegram_id=identity.telegram_id,
        username=identity.username,
        telegram_name=identity.display_name,
        locale=locale,
        consent_at=now,
        role=role,
        coverage=coverage,
    )
    if role != Role.OFFICIAL.value:  # a role granted before they came: their menu shows it
        await staff.owe_menu(session, person, Role(role), admin_ids=admin_ids, now=now)
    await set_state(
        session, identity.telegram_id, REGISTRATION, STEPS[0], {"then": then} if then else {}
    )
    return person


async def resume_registration(session: AsyncSession, telegram_id: int) -> str:
    """The step a consented but unregistered person should see now (a paused registration
    goes on with the answers it kept)."""
    state = await get_state(session, telegram_id)
    if state is not None and state.flow == REGISTRATION_PAUSED:
        await set_state(session, telegram_id, REGISTRATION, state.step, dict(state.data))
        return state.step
    if state is not None and state.paused is not None:  # kept aside by another form
        step, answers = state.paused
        await set_state(session, telegram_id, REGISTRATION, step, answers)
        return step
    if state is not None and state.flow == REGISTRATION:
        return state.step
    await set_state(session, telegram_id, REGISTRATION, STEPS[0], {})
    return STEPS[0]


async def pause_registration(session: AsyncSession, telegram_id: int) -> list[str]:
    """/cancelar in the middle of registration: keep what was answered (nobody should type
    it all again), leave the form. The steps already answered, in order."""
    state = await get_state(session, telegram_id)
    if state is None or state.flow != REGISTRATION:
        return []
    await set_state(session, telegram_id, REGISTRATION_PAUSED, state.step, dict(state.data))
    return [step for step in STEPS if state.data.get(step)]


async def remember_then(session: AsyncSession, telegram_id: int, then: str) -> None:
    """Keep a deep-link payload in the registration draft, to act on it at the end."""
    state = await get_state(session, telegram_id)
    if state is not None and state.flow == REGISTRATION:
        await set_state(
            session, telegram_id, REGISTRATION, state.step, {**state.data, "then": then}
        )


async def validate_answer(session: AsyncSession, step: str, value: str) -> str:
    """Check an answer to `step` and return the value to store (a code for fixed lists)."""
    if step == "name":
        return validate_name(value)
    if step == "position":
        return validate_position(value)
    if step == "region":
        if await regions.get_region(session, value) is None:
            raise InvalidAnswer(N_("I don't know that region. Please choose one from the list."))
        return value
    if step == "institution" and value in INSTITUTIONS:
        return value
    if step == "sex" and value in SEXES:
        return value
    raise InvalidAnswer(N_("Please choose one of the options."))


async def record_answer(
    session: AsyncSession, telegram_id: int, step: str, value: str | None
) -> str:
    """Store a registration answer (already validated) and move to the next step."""
    state = await get_state(session, telegram_id)
    data: dict[str, Any] = dict(state.data) if state else {}
    data[step] = value
    following = next_step(step)
    await set_state(session, telegram_id, REGISTRATION, following, data)
    return following


async def go_back(session: AsyncSession, telegram_id: int, step: str) -> str:
    state = await get_state(session, telegram_id)
    target = previous_step(step) or step
    await set_state(session, telegram_id, REGISTRATION, target, dict(state.data) if state else {})
    return target


async def draft(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    state = await get_state(session, telegram_id)
    return dict(state.data) if state and state.flow == REGISTRATION else {}


_FIELD_FOR_STEP = {
    "name": "full_name",
    "region": "region_code",
    "institution": "institution",
    "position": "position",
    "sex": "sex",
}


async def complete_registration(
    session: AsyncSession, telegram_id: int, now: datetime
) -> PersonRecord:
    """The answers stored and the form closed (handlers/command_menu.py: `set_later` gives
    the person the menu of a registered person, after the replies); registered `now`, on the
    runtime's clock, so that a test's chosen day is the day she registered."""
    data = await draft(session, telegram_id)
    missing = [step for step in STEPS if step != "position" and not data.get(step)]
    if missing:
        raise InvalidAnswer(N_("Some answers are missing; please go back and complete them."))
    fields = {_FIELD_FOR_STEP[step]: data.get(step) for step in STEPS}
    await people.update(session, telegram_id, registered_at=now, **fields)
    await clear_state(session, telegram_id)
    person = await people.get(session, telegram_id)
    assert person is not None
    return person


async def start_edit(session: AsyncSession, telegram_id: int, step: str) -> None:
    await set_state(session, telegram_id, PROFILE_EDIT, step, {})


async def save_field(
    session: AsyncSession, telegram_id: int, step: str, value: str | None
) -> PersonRecord:
    """Change one profile field (already validated) and leave the edit form."""
    await people.update(session, telegram_id, **{_FIELD_FOR_STEP[step]: value})
    await clear_state(session, telegram_id)
    person = await people.get(session, telegram_id)
    assert person is not None
    return person


async def set_language(
    session: AsyncSession,
    telegram_id: int,
    language: str,
    now: datetime,
    *,
    admin_ids: Collection[int] = (),
) -> None:
    """The language changed, and with it the person's own command menu (owed from `now`), if
    they have one."""
    await people.update(session, telegram_id, locale=language)
    person = await people.get(session, telegram_id)
    if person is not None:
        role = effective_role(telegram_id, person.role, admin_ids)
        if (await access.access_of(session, person, role)).own_menu:
            await staff.owe_menu(session, person, role, admin_ids=admin_ids, now=now)
