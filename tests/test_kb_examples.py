"""End to end: a specialist teaches Minka a question answered in /preguntas. The question
waits as an example question; `kb ejemplos --aceptar` writes it into KB_DIR/examples.yaml
(checked as `kb revisar` checks it, the file's comments kept) and the running Minka reloads:
the next official who asks the same in other words gets the article. An example holds the
question only: record numbers masked, a question naming someone refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.services import privacy
from knowledge.loader import CONTENT_DIR, read
from storage.db import Database
from tests.chat import Person as Chatter
from tests.cli import kb_copy, minka  # noqa: F401 (kb_copy: the `settings` of these tests)
from tests.helpers import CHECKED_AT, logged, register
from tests.pg_waits import until_waiting_for_a_lock

ARTICLE = "ambiente-agua-ana"
TITLE = read(CONTENT_DIR)[0].articles[ARTICLE].title
LABEL = f"📚 {TITLE[:30]}"  # a button shows the title's start
QUESTION = "la junta de usuarios de agua puede multar a un minero"
OTHER_WORDS = "la junta de usuarios del agua puede sancionar a los mineros"
ANSWER = "No: multar por el uso del agua le toca a la ANA, no a la junta de usuarios."
NOT_SURE = "No encontré una respuesta segura"


async def _ask_and_answer(ana: Chatter, specialist: Chatter, question: str) -> list:
    """The official asks, is not sure of Minka's answer and sends the question; the
    specialist answers it in /preguntas. Minka's offer to teach it (its message)."""
    (not_sure,) = await ana.say(question)
    assert not_sure.text.startswith(NOT_SURE)
    await ana.press(not_sure, "Enviar mi pregunta a un especialista")
    await ana.reply()
    _header, *items = await specialist.say("/preguntas", 2)
    await specialist.press(items[-1], "Responder")
    await specialist.reply()
    sent, offer = await specialist.say(ANSWER, 2)
    assert "Respuesta enviada" in sent.text
    assert "especialista respondió" in (await ana.reply()).text
    return offer


async def test_specialist_teaches_a_question_and_minka_answers_it_in_other_words(
    ana: Chatter, admin: Chatter, bot: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="bot.kb_reload")
    assert bot.kb_dir is not None
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    (before,) = await ana.say(OTHER_WORDS)
    assert before.text.startswith(NOT_SURE)

    offer = await _ask_and_answer(ana, admin, QUESTION)
    assert "¿Enseñar esta pregunta a Minka?" in offer.text
    assert offer.button_texts()[0].startswith(LABEL)  # the article the answer points at
    await admin.press(offer, LABEL)
    taught = await admin.reply()
    assert f"Enseñada.</b> «{QUESTION}» → «{TITLE}»" in taught.html
    assert not taught.buttons
    # Pressed twice (a slow network): still one question waiting.
    await admin.press_forged(taught, f"eg:add:{offer.find_button(LABEL)['callback_data'][7:]}")
    await admin.reply()

    listed = await minka(bot, "kb", "ejemplos")
    assert listed.returncode == 0, listed.stderr
    assert "1 pregunta enseñada espera" in listed.stdout
    assert f"{ARTICLE}  «{QUESTION}»" in listed.stdout
    ours = next(line.split()[0] for line in listed.stdout.splitlines() if ARTICLE in line)

    path = bot.kb_dir / "examples.yaml"
    was = path.read_text(encoding="utf-8").splitlines()
    accepted = await minka(bot, "kb", "ejemplos", "--aceptar", ours)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert f"1 pregunta agregada a {path}" in accepted.stdout
    now = path.read_text(encoding="utf-8").splitlines()
    added = [line for line in now if line not in was]
    assert added == [f'  - "{QUESTION}"']
    place = now.index(added[0])
    assert [line for line in now if line != added[0]] == was  # comments, order: as they were
    block = max(i for i, line in enumerate(now[:place]) if not line.startswith(" "))
    assert now[block] == f"{ARTICLE}:" and now[place + 1][0] != " "  # last of its list
    assert (
        await minka(bot, "kb", "revisar", "--hoy", CHECKED_AT.date().isoformat())
    ).returncode == 0

    assert str(bot.kb_dir) in await logged(caplog, "Tool Kit reloaded")
    (after,) = await ana.say(OTHER_WORDS)
    assert after.text.startswith(TITLE)
    assert "No hay preguntas enseñadas que esperen" in (await minka(bot, "kb", "ejemplos")).stdout


WITH_NUMBERS = (
    "la junta de usuarios de agua puede multar al minero con dni 41234567? mi celular 987 654 321"
)
MASKED = (
    "la junta de usuarios de agua puede multar al minero con dni 00000000? mi celular 000 000 000"
)
NAMING = (
    "el señor Mamani dice que la junta de usuarios de agua lo multo, puede hacerlo?",
    "la señora flores dice que la junta de usuarios de agua la multo, puede hacerlo?",
    "quispe mamani pregunta si la junta de usuarios de agua puede multar",  # the asker
)


async def test_an_example_holds_the_question_only_and_a_bad_one_never_breaks_the_file(
    ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    assert bot.kb_dir is not None
    await register(ana, region="Piura")  # Ana Quispe Mamani
    await register(admin, region="MINEM")
    offer = await _ask_and_answer(ana, admin, WITH_NUMBERS)
    await admin.press(offer, "📚")
    taught = await admin.reply()
    assert f"«{MASKED}»" in taught.html and "41234567" not in taught.html

    for question in NAMING:
        offer = await _ask_and_answer(ana, admin, question)
        await admin.press(offer, "📚")
        assert "nombra a una persona" in (await admin.reply()).text
    offer = await _ask_and_answer(ana, admin, "como saco mi dni")  # in examples.yaml already
    pressed = await admin.press(offer, "📚")
    assert (
        pressed["show_alert"]
        and "ya es un ejemplo de lo que el Tool Kit no responde" in (pressed["text"])
    )
    await admin.press(offer, "Otro artículo…")  # any article, by topic
    await admin.press(await admin.reply(), "Gestión ambiental")
    topic = await admin.reply()
    assert TITLE[:30] in " ".join(topic.button_texts())
    await admin.press(topic, "« Temas")
    await admin.press(await admin.reply(), "No, gracias")
    assert "no se enseñará" in (await admin.reply()).text

    listed = (await minka(bot, "kb", "ejemplos")).stdout
    assert "1 pregunta enseñada espera" in listed and f"«{MASKED}»" in listed
    assert "41234567" not in listed and "Mamani" not in listed

    path = bot.kb_dir / "examples.yaml"
    good = path.read_bytes()
    unset = await minka(bot.model_copy(update={"kb_dir": None}), "kb", "ejemplos", "--aceptar")
    assert unset.returncode == 2 and "KB_DIR no está definido" in unset.stderr
    path.write_bytes(good + b"ambiente-agua-ana:\n  - 987654321\n")  # a specialist's slip
    broken = await minka(bot, "kb", "ejemplos", "--aceptar")
    assert broken.returncode == 1 and "no se escribió nada" in broken.stderr
    assert "datos personales" in broken.stdout
    assert path.read_bytes() == good + b"ambiente-agua-ana:\n  - 987654321\n"  # untouched
    path.write_bytes(good)

    (question,) = await ana.say("/borrar_mis_datos")  # the asker's erasure withdraws it
    await ana.press(question, "Sí, borrar")
    assert "fueron borrados" in (await ana.reply()).text
    assert "No hay preguntas enseñadas" in (await minka(bot, "kb", "ejemplos")).stdout
    assert path.read_bytes() == good


# Personal data as officials write it, which the first checks let through (red team of the
# teaching feature): a DNI with thousands dots or in two groups of four digits went into the
# waiting example, and `kb ejemplos` listed it, as typed.
SLIPPED = (
    (WITH_NUMBERS.replace("41234567", "41.234.567"), "41.234.567"),
    (
        "la junta de usuarios de agua puede multar al minero de la comunidad con dni 4123 4567",
        "4123 4567",
    ),
)


async def test_record_numbers_written_in_groups_are_masked(
    ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    for question, number in SLIPPED:
        offer = await _ask_and_answer(ana, admin, question)
        await admin.press(offer, "📚")
        taught = await admin.reply()
        assert "Enseñada" in taught.text and number not in taught.html, taught.html
    listed = (await minka(bot, "kb", "ejemplos")).stdout
    assert "2 preguntas enseñadas esperan" in listed, listed
    assert all(number not in listed for _question, number in SLIPPED), listed


async def test_an_erasure_under_way_keeps_the_question_out_of_the_examples(
    ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    """Red team: the asker erases their data while `kb ejemplos --aceptar` runs. The CLI
    read the waiting questions, then wrote the file, then marked them: the question of a
    person whose erasure was under way (not committed yet) went into examples.yaml, and
    stayed after it (on SQLite and PostgreSQL). Here the erasure holds its transaction
    open until the CLI waits for it (PostgreSQL), or until the CLI gives up (SQLite's busy
    timeout); either way, nothing of the question is written."""
    assert bot.kb_dir is not None
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    offer = await _ask_and_answer(ana, admin, QUESTION)
    await admin.press(offer, LABEL)
    assert "Enseñada" in (await admin.reply()).text
    assert f"«{QUESTION}»" in (await minka(bot, "kb", "ejemplos")).stdout
    path = bot.kb_dir / "examples.yaml"
    good = path.read_bytes()

    eraser = Database(bot.database_url)
    try:
        async with eraser.session() as session:
            now = datetime.now(UTC)
            assert await privacy.erase(session, ana.id, key=bot.pseudonym_secret, now=now)
            await session.flush()  # written, not committed: the rows are held
            accepting = asyncio.create_task(minka(bot, "kb", "ejemplos", "--aceptar"))
            if eraser.engine.dialect.name == "postgresql":
                await until_waiting_for_a_lock(eraser, accepting, "escalations")
            else:
                await asyncio.wait([accepting])
        accepted = await accepting
    finally:
        await eraser.dispose()
    assert QUESTION not in path.read_text(encoding="utf-8"), accepted.stdout
    assert path.read_bytes() == good
    assert "agregada" not in accepted.stdout, accepted.stdout

    again = await minka(bot, "kb", "ejemplos", "--aceptar")
    assert again.returncode == 0 and "No se agregó ninguna pregunta" in again.stdout
    assert path.read_bytes() == good
