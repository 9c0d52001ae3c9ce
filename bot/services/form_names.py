"""What each form in progress is called in words, for /mis_datos: the stored flow names
(conversation_states.flow) are codes in English, the export says what the person was
filling in, in their language. A test checks that every form registered in handlers has one."""

from __future__ import annotations

from bot.i18n import N_

FORM_NAMES: dict[str, str] = {
    "registration": N_("Registration"),
    "registration_paused": N_("Registration (paused: /start goes on)"),
    "profile": N_("Change of the profile"),
    "expert_answer": N_("Answer to a question sent to the specialists"),
    "kb_report": N_("Report of an error in a Tool Kit article"),
    "workshop_comment": N_("Comment on a workshop"),
    "new_workshop": N_("New workshop"),
    "meeting_delegate": N_("Representative sent to a meeting"),
    "meeting_agreements": N_("Agreements of a meeting"),
    "new_meeting": N_("New meeting"),
    "edit_meeting": N_("Change of a meeting"),
    "agreement": N_("New agreement to follow up"),
    "agreement_edit": N_("Change of an agreement"),
    "visit_reason": N_("Reason for not going on a study visit"),
    "new_visit": N_("New study visit"),
    "edit_visit": N_("Change of a study visit"),
    "visit_survey": N_("Questionnaire after a study visit"),
    "case_note": N_("Note on a case"),
    "new_case": N_("New case"),
    "team_report": N_("Monthly report of the Regional Team"),
    "broadcast": N_("Broadcast"),
}
