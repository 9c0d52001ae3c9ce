"""What Minka keeps of people who did not consent, or whose updates it processed: not their
questions, no processed update traceable to a Telegram id, and a grant naming someone before
they registered, which they can see and erase."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import (
    ArticleView,
    Escalation,
    ProcessedUpdate,
    Question,
)
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.story import FIRST, LAST, NORA_ID, QUESTION, USERNAME, ZOILA_ID
from tests.erasure.sweep import dump_database


async def test_questions_of_someone_who_declined_consent_are_not_stored(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """Answered, and the article shown still counts, but the text is kept nowhere; asking for
    a specialist asks for consent first."""
    ana = Chatter(api, 7101, "Ana", last_name="Quispe")
    _greeting, notice = await ana.say("/start", 2)
    await ana.press(notice, "No acepto")
    await ana.replies(3)
    (not_sure,) = await ana.say(QUESTION)
    assert not_sure.text.startswith("No encontré una respuesta segura")
    await ana.say("que es el reinfo", 2)
    await ana.press(not_sure, "Enviar mi pregunta a un especialista")
    assert "Minka necesita guardar sus datos" in (await ana.reply()).text

    async with runtime.db.session() as session:
        assert (await session.scalars(select(Question))).all() == []
        assert (await session.scalars(select(Escalation))).all() == []
        views = (await session.scalars(select(ArticleView))).all()
    assert [(view.article_id, view.person_id) for view in views] == [("formalizacion-reinfo", None)]
    typed = (QUESTION, "que es el reinfo")
    assert [line for line in await dump_database(runtime) if any(t in line for t in typed)] == []


async def test_processed_updates_cannot_be_traced_to_a_telegram_id(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """The record of handled updates is kept for days after an erasure. With a plain digest
    of «message:<chat id>:<message id>:», whoever holds a copy of the database and knows
    someone's Telegram id finds their rows by trying message ids; the digest is keyed, so
    they cannot."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await zoila.say("/ayuda")
    async with runtime.db.session() as session:
        keys = list(await session.scalars(select(ProcessedUpdate.key)))
    assert keys
    guesses = {
        hashlib.sha256(f"message:{ZOILA_ID}:{number}:".encode()).hexdigest()[:32]
        for number in range(1, 1000)
    }
    assert [key for key in keys if key.split(":", 1)[1] in guesses] == []


async def test_someone_named_before_consenting_can_see_and_erase_it(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """An administrator names Nora coordinator before she ever writes to Minka: a role waits
    for her and the audit log names her, and so does a command refused to her. She may see it
    (/mis_datos) and erase it without registering; afterwards her id is nowhere."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    (done,) = await rosa.say(f"/coordinador {NORA_ID} Puno")
    assert str(NORA_ID) in done.text
    nora = Chatter(api, NORA_ID, "Nora", last_name="Quispe")
    (refused,) = await nora.say("/auditoria")  # a refusal is audited with her id too
    assert "Solo los administradores" in refused.text
    _intro, document = await nora.say("/mis_datos", 2)
    data = json.loads(api.files[document.params["file_id"]])
    assert data["persona"] is None and data["rol_pendiente"]["rol"] == "Coordinador/a"
    assert [(e["quien"], e["accion"]) for e in data["registro_de_auditoria"]] == [
        ("Otra persona", "Rol asignado: Coordinador/a"),
        ("Usted", "Comando /auditoria"),
    ]

    (question,) = await nora.say("/borrar_mis_datos")
    await nora.press(question, "Sí, borrar")
    assert "fueron borrados" in (await nora.reply()).text
    assert [line for line in await dump_database(runtime) if str(NORA_ID) in line] == []
    (nothing,) = await nora.say("/mis_datos")
    assert "no guarda ningún dato personal" in nothing.text
