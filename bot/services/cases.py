"""Cases attended by the regional governments: the codes stored and the labels people read.

Labels are msgids (English); the Spanish wording lives in the catalogs.
"""

from __future__ import annotations

from bot.i18n import N_

KINDS: dict[str, str] = {
    "formalization": N_("Formalization"),
    "fiscalization": N_("Fiscalization"),
    "environmental": N_("Environmental assessment"),
    "promotion": N_("Promotion"),
    "social_conflict": N_("Social conflict"),
    "technical_query": N_("Technical query"),
    "other": N_("Other"),
}
STRATA: dict[str, str] = {
    "ppm": N_("Small-scale mining producer (PPM)"),
    "pma": N_("Artisanal mining producer (PMA)"),
    "in_formalization": N_("Miner in the formalization process"),
    "not_applicable": N_("Not applicable"),
}
# The formalization steps, in the order a miner goes through them.
STEPS: dict[str, str] = {
    "reinfo": N_("Registration in REINFO"),
    "environmental_instrument": N_("Environmental instrument (IGAFOM/IGAC)"),
    "surface_land": N_("Surface land"),
    "concession": N_("Concession or contract"),
    "start_authorization": N_("Authorization to start"),
    "formalized": N_("Formalized"),
}
STATUSES: dict[str, str] = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "referred": N_("Referred"),
    "archived": N_("Archived"),
}
# abierto → en trámite → resuelto / derivado / archivado; a case opened by mistake can be
# archived at once. Closed cases stay closed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "archived"),
    "in_progress": ("resolved", "referred", "archived"),
}
CLOSED = ("resolved", "referred", "archived")
FORMALIZATION = "formalization"
DESCRIPTION_MAX = 500
NOTE_MAX = 500
