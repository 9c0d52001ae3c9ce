"""Minka's codes in words for a person: Spanish labels for stored codes and Lima times, as
/mis_datos exports them and the administrators' /auditoria shows the same audit entries.

Apart from the export (`bot.services.my_data`), because /auditoria words audit entries too."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.i18n import N_, Translator
from bot.services.roles import ROLE_LABELS, Role

OUTCOMES: dict[str, str] = {"done": N_("Done"), "denied": N_("Refused")}
ACTIONS: dict[str, str] = {
    "revoke_role": N_("Role removed"),
    "cancel_grant": N_("Role not yet applied cancelled"),
    "indicators": N_("Indicator report"),
    "erase_personal_data": N_("Personal data erased"),
    "scope": N_("Item of a region not coordinated"),
    "new workshop": N_("New workshop"),
    "audience": N_("Audience of a meeting or broadcast"),
    "grant_team": N_("Added to an Equipo Regional"),
    "revoke_team": N_("Removed from an Equipo Regional"),
    "visit_changed": N_("Study visit changed"),
    "visit_cancelled": N_("Study visit cancelled"),
    "broadcast_cancelled": N_("Broadcast not sent: its author no longer covered its audience"),
    "withheld": N_("Result not delivered: the role changed while it was prepared"),
}


class Labels:
    """Codes to Spanish labels and UTC datetimes to Lima times in words, for one export (and for the
    administrators' /auditoria)."""

    def __init__(self, t: Translator) -> None:
        self.t = t

    def time(self, value: datetime | None) -> str | None:
        return self.t.datetime(value) if value else None

    def month(self, month: str) -> str:
        """'Diciembre 2026' for '2026-12'."""
        year, number = month.split("-")
        return self.t.month(int(year), int(number))

    def of(self, labels: Mapping[str, str], code: str | None) -> str | None:
        if code is None:
            return None
        return self.t.gettext(labels[code]) if code in labels else code

    def yes_no(self, value: bool | None) -> str | None:
        return None if value is None else self.t.gettext(N_("Yes") if value else N_("No"))

    def action(self, code: str) -> str:
        role = role_of(code.removeprefix("grant_")) if code.startswith("grant_") else None
        if role is not None:
            label = self.t.gettext(ROLE_LABELS[role])
            return self.t.gettext(N_("Role given: {role}")).format(role=label)
        if code.startswith("/"):
            return self.t.gettext(N_("Command {command}")).format(command=code)
        if code.startswith("button "):
            return self.t.gettext(N_("Button {prefix}")).format(prefix=code.removeprefix("button "))
        if code.startswith("form "):
            return self.t.gettext(N_("Form {name}")).format(name=code.removeprefix("form "))
        return self.of(ACTIONS, code) or code


def role_of(code: str) -> Role | None:
    """The role a stored code names (None for a code no longer known)."""
    try:
        return Role(code)
    except ValueError:
        return None
