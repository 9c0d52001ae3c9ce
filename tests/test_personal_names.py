"""Names in example questions (`knowledge.personal`), as officials type them: in lower case,
without accents. Red team of the teaching feature and of the shipped examples: «juan quispe
mamani» and «la señora flores» passed the rule, which looked for a capital after a title
(5b67fce took two such examples out of examples.yaml by hand). Both ways: questions that name
someone are refused, and the officials' ordinary questions (every example question shipped,
and every question of the search evaluation sets that names no one) are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.loader import CONTENT_DIR, read
from knowledge.personal import NAME, personal_data

BENCH = Path(__file__).parent.parent / "bench"

NAMING = (
    "juan quispe mamani quiere saber si puede formalizarse con el reinfo suspendido",
    "la señora flores pregunta si su concesion vence este año",
    "la senora flores dice que la junta de usuarios la multo, puede hacerlo?",
    "el señor rojas tiene su reinfo suspendido que hago",
    "maria condori huaman pregunta por el igafom correctivo",
    "mi colega luis mamani dice que el reinfo ya no se renueva, es cierto?",
    "la doctora castillo de la fiscalia pide el expediente del minero",
    "el alcalde huamani quiere saber quien otorga la constancia",
    "carlos ramirez y rosa ticona preguntan si pueden asociarse para el ipm",
    "don teofilo apaza tiene una planta de beneficio sin permiso",
    "la sra. gutierrez de la comunidad reclama por el agua",
    "el ing vargas de la drem dice que falta el igafom",
    "rosa flores quiere saber cuanto cuesta el derecho de vigencia",
    "que le digo a julio quispe si su reinfo esta suspendido",
    "ingeniera luz ramos, como se calcula la penalidad?",
)
ORDINARY = (
    "cuantas torres de alta tension pueden cruzar una concesion minera",
    "el señor alcalde puede dar permiso de uso de terreno superficial?",
    "la señora que vino ayer pregunta por su reinfo",
    "el ingeniero de la drem dice que falta el igafom, es obligatorio?",
    "como se calcula la pena por mineria ilegal",
    "los rios y quebradas cerca de la concesion necesitan autorizacion de la ana?",
    "la ANA cobra por el uso del agua en la bocamina?",
    "en santa rosa hay mineros informales, quien los fiscaliza",
    "en la provincia de sanchez carrion hay muchos mineros artesanales",
    "en puerto maldonado quien ve la formalizacion",
    "el director regional de energia y minas firma la resolucion?",
    "el doctor del centro de salud puede certificar la salud ocupacional?",
    "quien es el ing encargado de fiscalizacion en la dirección regional",
    "los campos de cultivo cerca de la planta se contaminan con mercurio",
    "la luz de la planta de beneficio es de la red publica, necesito permiso?",
    "en julio vence el plazo del reinfo?",
    "las tomas de agua de la comunidad estan cerca de la relavera",
    "el plazo maximo para presentar el igafom correctivo",
    "en el segundo semestre hay que presentar la declaracion anual consolidada?",
    "la norma dice que el titular debe pagar el derecho de vigencia",
    "el juez de paz puede resolver un conflicto entre mineros?",
    "los canales de riego pasan por la concesion",
    "en san juan de marcona hay pequeños productores",
    "Buenos días, señorita Minka, ¿me ayuda con el REINFO?",  # the bot's own name
)


@pytest.mark.parametrize("question", NAMING)
def test_a_name_in_lower_case_is_refused(question: str) -> None:
    assert personal_data(question) == NAME


@pytest.mark.parametrize("question", ORDINARY)
def test_ordinary_questions_name_no_one(question: str) -> None:
    assert personal_data(question) is None


def _evaluation_questions() -> list[str]:
    questions = []
    for path in sorted(BENCH.glob("search_*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        questions += [entry["q"] for entry in entries if isinstance(entry, dict) and "q" in entry]
    return questions


# The evaluation sets' questions about someone's own file: they name a person, refused.
NAMED_IN_EVALUATION = [
    "estado del expediente de juan quispe mamani en el reinfo",
    "ya salio la resolucion de la concesion minera san jose 2 de la señora flores?",
    "el señor Juvenal Quispe Mamani de Ananea esta vigente en el reinfo?",
    "el señor Teodoro Quispe Mamani de Ananea sigue vigente en el reinfo?",
    "Flor Mamani, pallaquera de La Rinconada, figura en el reinfo?",
    "en q estado esta el expediente de la señora maria quispe de ananea",
    "el reinfo del señor cutipa de la rinconada numero 20481 sigue vigente?",
]


def test_no_question_of_the_officials_is_taken_for_a_name() -> None:
    """The shipped example questions pass; of the evaluation sets' questions, only those that
    name someone are refused."""
    kit, _problems = read(CONTENT_DIR)
    shipped = [example.question for example in kit.examples]
    assert len(shipped) > 1000
    assert [question for question in shipped if personal_data(question) == NAME] == []
    asked = _evaluation_questions()
    assert len(asked) > 1500
    assert [question for question in asked if personal_data(question) == NAME] == (
        NAMED_IN_EVALUATION
    )
