"""Questions to the specialists and a regional coordinator. Coordinators may answer them (the
roles before theirs are theirs too), but a Puno coordinator's /preguntas listed a Cusco
official's question with her name and region, and a forged «Responder» (ex:ans:<id>) let
them answer it: Cusco is not theirs. Specialists (the service is national), national
coordinators and administrators still see and answer every region's."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import AuditEntry, Escalation
from tests.chat import Person as Chatter
from tests.helpers import puno_coordinator, register

OUT_OF_SCOPE = "Eso pertenece a una región que usted no coordina."
QUESTION = "como saco mi brevete en cusco"


async def _grant(admin: Chatter, command: str) -> None:
    (done,) = await admin.say(command)
    assert done.text.startswith("Listo"), done.text


async def test_a_regional_coordinator_sees_and_answers_only_their_regions_questions(
    api: LocalBotApi, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    luz = Chatter(api, 5201, "Luz", last_name="Ccori", username="luz_cusco")
    await register(luz, region="Cusco")
    (not_sure,) = await luz.say(QUESTION)
    await luz.press(not_sure, "Enviar mi pregunta a un especialista")
    await luz.reply()
    async with runtime.db.session() as session:
        escalation = await session.scalar(select(Escalation.id))
    assert escalation is not None

    carla = await puno_coordinator(api, admin)
    (listing,) = await carla.say("/preguntas")
    assert listing.text == "No hay preguntas pendientes. ¡Gracias!", listing.text
    answer = await carla.press_forged(listing, f"ex:ans:{escalation}")
    assert answer["text"] == OUT_OF_SCOPE
    assert carla.no_more() == []

    # Given Cusco too, she sees it and may answer; the grant is checked again when she
    # sends the answer, so Cusco taken away meanwhile keeps it pending.
    await _grant(admin, "/coordinador @carla_puno Puno, Cusco")
    await carla.reply()
    _header, item = await carla.say("/preguntas", 2)
    assert QUESTION in item.text and "Luz Ccori" in item.text
    await carla.press(item, "Responder")
    await carla.reply()
    await _grant(admin, "/coordinador @carla_puno Puno")
    await carla.reply()
    (refused,) = await carla.say("Eso lo ve el MTC, no la DREM.")
    assert refused.text == OUT_OF_SCOPE
    assert luz.no_more() == []

    sofia = Chatter(api, 5301, "Sofía", last_name="Rojas", username="sofia_esp")
    await register(sofia, region="MINEM")
    await _grant(admin, "/especialista @sofia_esp")
    await sofia.reply()
    _header, item = await sofia.say("/preguntas", 2)
    assert QUESTION in item.text
    await sofia.press(item, "Responder")
    await sofia.reply()
    (sent,) = await sofia.say("Eso lo ve el MTC, no la DREM.")
    assert "Respuesta enviada" in sent.text
    delivered = await luz.reply()
    assert "Eso lo ve el MTC, no la DREM." in delivered.text

    async with runtime.db.session() as session:
        denied = list(
            await session.scalars(
                select(AuditEntry.target).where(
                    AuditEntry.action == "scope", AuditEntry.outcome == "denied"
                )
            )
        )
    assert denied == [f"question:{escalation}"] * 2


async def test_a_forged_teach_button_shows_no_other_regions_question(
    api: LocalBotApi, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    """«Enseñar a Minka» (eg:add:<escalation>:<article>) echoes the question it teaches: a Puno
    coordinator forging it with a Cusco question's id read the question and queued it."""
    luz = Chatter(api, 5201, "Luz", last_name="Ccori", username="luz_cusco")
    await register(luz, region="Cusco")
    (not_sure,) = await luz.say(QUESTION)
    await luz.press(not_sure, "Enviar mi pregunta a un especialista")
    await luz.reply()
    await register(admin, region="MINEM")
    _header, item = await admin.say("/preguntas", 2)
    await admin.press(item, "Responder")
    await admin.reply()
    await admin.say("Eso lo ve el MTC, no la DREM.", 2)  # «sent» and the offer to teach it
    async with runtime.db.session() as session:
        escalation = await session.scalar(select(Escalation.id))
    article = next(iter(runtime.knowledge.kit.articles))

    carla = await puno_coordinator(api, admin)
    (menu,) = await carla.say("/menu")
    answer = await carla.press_forged(menu, f"eg:add:{escalation}:{article}")
    assert answer.get("text") == OUT_OF_SCOPE, (answer, carla.no_more())
    assert carla.no_more() == []
    async with runtime.db.session() as session:
        taught = await session.scalar(
            select(Escalation.example_article_id).where(Escalation.id == escalation)
        )
    assert taught is None


async def test_forged_teach_buttons_with_hostile_data_are_refused_politely(
    api: LocalBotApi, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    """Red team of «Enseñar a Minka» on both databases: a specialist's forged eg: buttons
    with a number past any id column, digits that are not ASCII, an unknown article or topic
    get «Ese botón ya no está vigente.»; with a NUL byte (taken out where updates enter) or
    an id that is no answered question, that it can no longer be taught. Nothing is taught,
    nothing reaches the database as typed (PostgreSQL refuses NUL), no update fails.
    Defended already (as_number, text.py): this keeps it so."""
    await register(admin, region="MINEM")
    (menu,) = await admin.say("/menu")
    article = next(iter(runtime.knowledge.kit.articles))
    for data in (
        f"eg:add:99999999999999999999:{article}",
        f"eg:add:²:{article}",
        "eg:add:1:no-existe",
        "eg:tp:1:\x00",
        "eg:tp:1:" + "ñ" * 20,
        "eg:top:-1",
        "eg:",
    ):
        answer = await admin.press_forged(menu, data)
        assert answer.get("text") == "Ese botón ya no está vigente.", (data, answer)
    # NUL is taken out where updates enter: what is left is an id that is no question.
    for data in (
        f"eg:add:1\x00:{article}",
        f"eg:add:1:{article}\x00",
        f"eg:add:2147483647:{article}",
    ):
        answer = await admin.press_forged(menu, data)
        assert answer.get("text") is None, answer
        gone = await admin.reply()
        assert gone.text == "Esta pregunta ya no se puede enseñar a Minka.", gone.text
    async with runtime.db.session() as session:
        assert await session.scalar(select(Escalation.id)) is None
