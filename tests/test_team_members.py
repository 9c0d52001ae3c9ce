"""End to end: coordinators set who belongs to the Equipo Regional of the regions they cover
(/equipo, /quitar_equipo), scoped by the coverage an administrator granted them, never by
their own /perfil; every change and every refusal is in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import AuditEntry, Person, TeamMember
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register


async def _membership(runtime: Runtime, telegram_id: int) -> str | None:
    async with runtime.db.session() as session:
        return await session.scalar(
            select(TeamMember.region_code)
            .join(Person, Person.id == TeamMember.person_id)
            .where(Person.telegram_id == telegram_id)
        )


async def _audited(runtime: Runtime, actor: int) -> list[tuple[str, str, str | None]]:
    async with runtime.db.session() as session:
        entries = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_telegram_id == actor).order_by(AuditEntry.id)
        )
        return [(e.action, e.outcome, e.target) for e in entries]


async def test_only_a_coordinator_of_the_region_sets_its_team(
    api: LocalBotApi, runtime: Runtime
) -> None:
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    # Pedro coordinates Puno by grant; his own profile says Cusco, which must not count.
    pedro = Chatter(api, 7401, "Pedro", last_name="Apaza")
    await register(pedro, region="Cusco", sex="Hombre")
    ana = Chatter(api, 7402, "Ana", last_name="Quispe", username="anaq")
    await register(ana, region="Puno")
    eva = Chatter(api, 7403, "Eva", last_name="Ccori")
    await register(eva, region="Cusco")
    mia = Chatter(api, 7404, "Mía", last_name="Condori")  # an official
    await register(mia, region="Puno")
    async with runtime.db.session() as session:
        await people.set_role(session, pedro.id, "coordinator", "puno")

    # An official cannot appoint anyone, not even herself; audited.
    (refused,) = await mia.say(f"/equipo {mia.id} Puno")
    assert refused.text == "Solo los coordinadores pueden hacer eso."
    assert await _membership(runtime, mia.id) is None
    assert ("/equipo", "denied", None) in await _audited(runtime, mia.id)

    # The Puno coordinator cannot appoint for Cusco (the region of his own profile).
    (refused,) = await pedro.say(f"/equipo {eva.id} Cusco")
    assert refused.text == "Eso pertenece a una región que usted no coordina."
    assert await _membership(runtime, eva.id) is None
    assert ("scope", "denied", "team:cusco") in await _audited(runtime, pedro.id)

    # For Puno he can; Ana is told, and it is audited with him as the actor.
    (done,) = await pedro.say("/equipo @anaq Puno")
    assert done.text == "Listo: Ana Quispe es parte del Equipo Regional de Puno."
    assert await _membership(runtime, ana.id) == "puno"
    told = await ana.reply()
    assert "Equipo Regional de Puno" in told.text and "/informe_mensual" in told.text
    assert ("grant_team", "done", str(ana.id)) in await _audited(runtime, pedro.id)

    # The administrator (national) appoints Eva in Cusco; Pedro can neither remove her nor
    # move her to Puno, since that takes her out of Cusco's team.
    (done,) = await rosa.say(f"/equipo {eva.id} Cusco")
    assert "Equipo Regional de Cusco" in done.text
    await eva.reply()
    (refused,) = await pedro.say(f"/quitar_equipo {eva.id}")
    assert refused.text == "Eso pertenece a una región que usted no coordina."
    (refused,) = await pedro.say(f"/equipo {eva.id} Puno")  # an official of Cusco
    assert "no está entre las personas registradas" in refused.text, refused.text
    assert await _membership(runtime, eva.id) == "cusco"

    # /equipo alone lists the members of his regions only.
    (listing,) = await pedro.say("/equipo")
    assert "Ana Quispe" in listing.text and "Eva" not in listing.text

    # He removes Ana; a second time there is nothing to remove.
    (done,) = await pedro.say(f"/quitar_equipo {ana.id}")
    assert done.text == "Listo: Ana Quispe ya no es parte de un Equipo Regional."
    assert await _membership(runtime, ana.id) is None
    assert ("revoke_team", "done", str(ana.id)) in await _audited(runtime, pedro.id)
    await ana.reply()  # she is told
    (nothing,) = await pedro.say(f"/quitar_equipo {ana.id}")
    assert nothing.text == "Ana Quispe no es parte de un Equipo Regional."

    # Someone who has not registered cannot be appointed (nor told apart from an official
    # of another region: test_a_regional_coordinator_appoints_only_officials_of_their_regions).
    (unknown,) = await pedro.say("/equipo 7999 Puno")
    assert "no está entre las personas registradas" in unknown.text
    assert api.drain(mia.id) == [] and api.drain(eva.id) == []


async def test_a_coordinator_learns_no_name_outside_their_regions(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """The attack: a Puno coordinator types /quitar_equipo with Telegram ids one after another
    and read «Luis Mamani no es parte de un Equipo Regional.»: the name of an official of
    Cusco, whom he does not coordinate. Now he reads back only what he typed."""
    pedro = Chatter(api, 7401, "Pedro", last_name="Apaza")
    await register(pedro, region="Puno", sex="Hombre")
    luis = Chatter(api, 7405, "Luis", last_name="Mamani", username="luis_cusco")
    await register(luis, region="Cusco", sex="Hombre")
    ana = Chatter(api, 7402, "Ana", last_name="Quispe", username="anaq")
    await register(ana, region="Puno")
    async with runtime.db.session() as session:
        await people.set_role(session, pedro.id, "coordinator", "puno")

    for typed in (str(luis.id), "@luis_cusco"):
        (nothing,) = await pedro.say(f"/quitar_equipo {typed}")
        assert nothing.text == f"{typed} no es parte de un Equipo Regional.", nothing.text
    (nothing,) = await pedro.say(f"/quitar_equipo {ana.id}")  # of his region: named
    assert nothing.text == "Ana Quispe no es parte de un Equipo Regional."
    assert api.drain(luis.id) == []


async def test_a_regional_coordinator_appoints_only_officials_of_their_regions(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """The attack: a Puno coordinator typed «/equipo ID Puno» with the ids of people of other
    regions and read «Listo: Luis Mamani es parte del Equipo Regional de Puno.»: the name of
    a Cusco official he does not coordinate, who also got a team role (and its monthly
    reports) he never asked for. Now a regional coordinator appoints only people registered
    in a region an administrator granted him; anyone else (another region's official, an id
    that never registered) gets one same answer that names nobody, nothing is given or sent,
    and the refusal is audited. A national coordinator still appoints anyone."""
    pedro = Chatter(api, 7401, "Pedro", last_name="Apaza")
    await register(pedro, region="Cusco", sex="Hombre")  # his profile: not his coverage
    nora = Chatter(api, 7406, "Nora", last_name="Huanca")
    await register(nora, region="MINEM")
    luis = Chatter(api, 7405, "Luis", last_name="Mamani", username="luis_cusco")
    await register(luis, region="Cusco", sex="Hombre")
    ana = Chatter(api, 7402, "Ana", last_name="Quispe", username="anaq")
    await register(ana, region="Puno")
    async with runtime.db.session() as session:
        await people.set_role(session, pedro.id, "coordinator", "puno")
        await people.set_role(session, nora.id, "coordinator", "*")

    answers = []
    for typed in (str(luis.id), "@luis_cusco", "7999"):
        (answer,) = await pedro.say(f"/equipo {typed} Puno")
        assert "Luis" not in answer.text and "Mamani" not in answer.text, answer.text
        answers.append(answer.text.replace(typed, "…"))
    assert len(set(answers)) == 1, answers  # an id that never registered reads the same
    assert "regiones que usted coordina" in answers[0], answers[0]
    assert await _membership(runtime, luis.id) is None
    assert api.drain(luis.id) == []
    audited = await _audited(runtime, pedro.id)
    assert ("grant_team", "denied", str(luis.id)) in audited, audited

    (done,) = await pedro.say(f"/equipo {ana.id} Puno")  # an official of Puno: as before
    assert done.text == "Listo: Ana Quispe es parte del Equipo Regional de Puno."
    await ana.reply()
    (done,) = await nora.say(f"/equipo {luis.id} Puno")  # national: anyone
    assert done.text == "Listo: Luis Mamani es parte del Equipo Regional de Puno."
    assert await _membership(runtime, luis.id) == "puno"
