"""Storage and services on real databases (a SQLite file and PostgreSQL), no Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.i18n import translator
from bot.services import my_data, privacy, profile, staff
from bot.services.profile import Identity
from bot.services.roles import Role, authorize
from storage.db import Database
from storage.migrate import pending, upgrade
from storage.models import AuditEntry, Person
from storage.repositories import people
from storage.repositories.regions import list_regions
from tests.helpers import CHECKED_AT

ANA = Identity(1001, "anaq", "Ana Quispe")


async def test_migrations_are_idempotent_and_seed_regions(db: Database) -> None:
    assert not await pending(db.engine)
    await upgrade(db.engine)
    async with db.session() as session:
        regions = await list_regions(session)
    assert len(regions) == 27
    assert sum(r.kind == "regional_government" for r in regions) == 25
    assert {r.name for r in regions} >= {"Lima Metropolitana", "MINEM (nivel central)", "Áncash"}


async def test_datetimes_come_back_aware_and_equal(db: Database) -> None:
    lima = timezone(timedelta(hours=-5))
    moment = datetime(2026, 11, 26, 10, 0, tzinfo=lima)
    async with db.session() as session:
        await people.create(
            session,
            telegram_id=5,
            username=None,
            telegram_name="X",
            locale="es",
            consent_at=moment,
            role="official",
        )
    async with db.session() as session:
        stored = await people.get(session, 5)
    assert stored is not None and stored.consent_at == moment
    assert stored.consent_at.tzinfo is not None
    assert stored.consent_at.astimezone(UTC).hour == 15


async def test_registration_flow_service(db: Database) -> None:
    async with db.session() as session:
        await profile.give_consent(session, ANA, "es", now=CHECKED_AT)
        assert await profile.resume_registration(session, ANA.telegram_id) == "name"
        for step, value in [
            ("name", "Ana Quispe"),
            ("region", "puno"),
            ("institution", "gr"),
            ("position", None),
            ("sex", "female"),
        ]:
            stored = None if value is None else await profile.validate_answer(session, step, value)
            await profile.record_answer(session, ANA.telegram_id, step, stored)
        assert await profile.resume_registration(session, ANA.telegram_id) == profile.SUMMARY
        assert await profile.go_back(session, ANA.telegram_id, profile.SUMMARY) == "sex"
        await profile.record_answer(session, ANA.telegram_id, "sex", "female")
        person = await profile.complete_registration(session, ANA.telegram_id, CHECKED_AT)
    assert person.is_registered and person.region_name == "Puno" and person.position is None


async def test_erasure_keeps_anonymous_counts(db: Database) -> None:
    """The person's audit entries keep one pseudonym (a keyed hash), the same for all of them
    and for the erasure itself, so counts by person hold; the id is gone."""
    key = b"k" * 32
    async with db.session() as session:
        await profile.give_consent(session, ANA, "es", now=CHECKED_AT)
        await people.update(session, ANA.telegram_id, region_code="piura", sex="female")
        for action in ("/x", "/y"):
            await authorize(
                session,
                telegram_id=ANA.telegram_id,
                role=Role.OFFICIAL,
                required=Role.ADMIN,
                action=action,
                now=CHECKED_AT,
            )
    spanish = translator("es", ZoneInfo("America/Lima"))
    async with db.session() as session:
        exported = await my_data.export(session, ANA.telegram_id, spanish, {})
        assert exported is not None
        assert exported["registro_de_auditoria"][0]["accion"] == "Comando /x"
        assert exported["registro_de_auditoria"][0]["resultado"] == "Denegado"
        assert exported["persona"]["sexo"] == "Mujer"
        assert await privacy.erase(session, ANA.telegram_id, key=key, now=datetime.now(UTC))
    async with db.session() as session:
        assert await people.get(session, ANA.telegram_id) is None
        assert await my_data.export(session, ANA.telegram_id, spanish, {}) is None
        row = (await session.scalars(select(Person))).one()
        assert (row.region_code, row.sex, row.telegram_id, row.full_name) == (
            "piura",
            "female",
            None,
            None,
        )
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [e.action for e in entries] == ["/x", "/y", "erase_personal_data"]
    assert {e.actor_telegram_id for e in entries} == {None}
    assert {e.actor_pseudonym for e in entries} == {privacy.pseudonym(key, ANA.telegram_id)}
    assert privacy.pseudonym(key, ANA.telegram_id) != privacy.pseudonym(b"x" * 32, ANA.telegram_id)
    assert str(ANA.telegram_id) not in privacy.pseudonym(key, ANA.telegram_id)


async def test_role_grant_waits_for_consent(db: Database) -> None:
    async with db.session() as session:
        grant = await staff.grant_role(
            session, ANA.telegram_id, Role.COORDINATOR, granted_by=1, admin_ids=(), now=CHECKED_AT
        )
        assert not grant.applied_now
    async with db.session() as session:
        person = await profile.give_consent(session, ANA, "es", now=CHECKED_AT)
    assert person.role == "coordinator"
    async with db.session() as session:
        assert await staff.resolve_target(session, "@ANAQ") == ANA.telegram_id
        assert await staff.resolve_target(session, "42") == 42
        assert await staff.resolve_target(session, "@unknown") is None


async def test_blocked_person_is_marked_and_reactivated(db: Database) -> None:
    async with db.session() as session:
        await profile.give_consent(session, ANA, "es", now=CHECKED_AT)
        assert await people.mark_blocked(session, ANA.telegram_id, datetime.now(UTC))
        assert not await people.mark_blocked(session, ANA.telegram_id, datetime.now(UTC))
        await people.touch(session, ANA.telegram_id, username="anaq", telegram_name="Ana")
        person = await people.get(session, ANA.telegram_id)
    assert person is not None and person.active and person.blocked_at is None


async def test_models_and_migrations_agree(db: Database) -> None:
    """Autogenerate finds nothing to add: the migrations create exactly what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    def diff(connection: object) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []
