"""How much an answer depends on the phrasing around the question: each tuning question
wrapped in the courtesy and situation officials add («disculpe ingeniero, …», «…? es que
tenemos un caso en la provincia»), measured as in `bench.search_quality` (top-1 and false
answers, Minka and the FTS5 baseline given the same preprocessing).

    python -m bench.search_chatter

Questions that are only greetings or thanks are left out (wrapped, they ask nothing). The
wrappers come in sets written at different times: a set looked at while changing the
search is spent, like a held-out set; write a new one before the next change and measure
it once.
"""

from __future__ import annotations

import sys

import yaml

from bench.search_quality import EVAL_FILE, calibrate, evaluate, fts5_runner, minka_runner
from knowledge.base import KnowledgeBase

WRAPPERS = {
    # Written first, and used while writing `knowledge.frame` and the courtesy stopwords.
    "dev": [
        "buenas tardes, una consulta: {q}",
        "disculpe ingeniero, {q}",
        "{q}, gracias de antemano",
        "hola, en la direccion regional nos preguntan {q}",
        "{q}? es que tenemos un caso en la provincia",
        "necesito saber urgente {q}",
        "estimado, le escribo desde la oficina de puno porque {q}",
        "{q} porque el alcalde nos esta consultando",
    ],
    # Written before that change and measured after it; then also used to complete it.
    "second": [
        "buenos dias ingeniera, queria consultarle {q}",
        "{q}. agradeceria su pronta respuesta",
        "perdon la molestia, {q}",
        "colega una pregunta rapida: {q}",
        "{q}, es para un informe que me pidio mi jefe",
        "saludos cordiales, me podria orientar: {q}",
        "doctor, {q}? le agradezco",
        "urgente por favor: {q}",
    ],
    # Written after it, measured once (2026-12-04): Minka 71.2 % top-1 / 6.1 % false
    # before the change, 79.1 / 5.0 after; then used to add «muchas», «saluda», «atte.»…
    "third": [
        "buen dia, le saluda el especialista de la grem arequipa, {q}",
        "{q}, saludos desde cusco",
        "consulta de un colega de la municipalidad: {q}",
        "ing una consultita, {q}",
        "tengo una reunion mañana con los mineros y no se {q}",
        "{q}? lo pregunto porque en la region nadie sabe",
        "hola minka, {q}, muchas gracias",
        "señorita, {q} por fa",
        "{q}. atte. oficina de formalizacion",
        "los productores de la zona me preguntaron {q}",
    ],
    # Written before those additions: 80.8 / 9.8 before and after them. A situation told in
    # the kit's own words («soy nuevo en la gerencia regional», «tenemos muchos mineros
    # artesanales») drew sure answers to questions the kit cannot answer: 80.6 / 5.6 once
    # the stretch that asks is judged apart (this set was looked at while writing that).
    "fourth": [
        "{q} (consulta de la DREM Junin)",
        "buenas, soy nuevo en la gerencia regional, {q}",
        "una consulta pues, {q}",
        "{q}, le agradeceria bastante",
        "disculpa la hora, {q}",
        "mil disculpas por molestar, {q}",
        "en nuestra region tenemos muchos mineros artesanales, {q}",
        "hola que tal, {q} saludos",
        "{q} o a quien debo preguntar",
        "ingeniero buenas tardes, nuevamente yo, {q}",
    ],
    # Written before the stretch that asks was judged apart (`Rule.stretch_coverage`), and
    # looked at while writing it, like the fourth: 78.8 / 16.0 before, 78.7 / 11.5 after.
    "fifth": [
        "buenas noches, trabajo en la direccion de formalizacion de la region, {q}",
        "soy especialista ambiental del gobierno regional y quisiera saber {q}",
        "{q} - pregunta de un fiscalizador",
        "hola, me llamo rosa y trabajo en la drem, {q}",
        "en la reunion de coordinacion salio el tema, {q}",
        "{q}. es para orientar a unos mineros que vinieron a la oficina",
        "estamos preparando un taller para productores mineros, {q}",
        "{q}? gracias por su tiempo",
        "un minero me dijo algo y quiero confirmar, {q}",
        "hola, disculpe, {q}, nos urge saber",
    ],
    # Written before the stretch rule's threshold was chosen, measured once after: 74.5 / 9.0
    # before, 74.4 / 6.8 after.
    "sixth": [
        "trabajo en la grem de puno hace dos años y recien me toca ver mineria, {q}",
        "buen dia colegas, el director me encargo averiguar {q}",
        "{q}, lo necesito para el informe trimestral",
        "tenemos un expediente de un pequeño productor en tramite, {q}",
        "estoy en campo con los mineros de la cooperativa, {q}",
        "{q}? me lo preguntaron en el taller de ayer",
        "somos de la gerencia de desarrollo economico, {q}",
        "hola, {q}. saludos a todo el equipo",
        "llego un oficio de la municipalidad preguntando {q}",
        "disculpen, soy practicante en la direccion regional, {q}",
    ],
    # Written after deciding to read all that comes before wanting to know («quiero saber»,
    # «me gustaría saber», «me encargó averiguar») as the situation, before writing it, and
    # measured once: 74.3 / 5.6 before, 80.7 / 1.9 after (it may lean towards the change).
    "seventh": [
        "estoy revisando un expediente de formalizacion y quiero saber {q}",
        "buenas tardes, en la oficina tenemos una discusion, {q}",
        "la semana pasada vino un minero de la comunidad y me pregunto {q}",
        "{q}, me lo pidio el gerente para la reunion del lunes",
        "soy abogada de la direccion regional, necesito confirmar {q}",
        "mi colega dice una cosa y yo otra, {q}",
        "nos llego un caso complicado de un pma, {q}",
        "{q}? porfa, es urgente para hoy",
        "vengo de una inspeccion en la zona minera, {q}",
        "para la capacitacion de mañana me gustaria saber {q}",
    ],
    # Written before the asking stretch weighed more than the situation in the ranking
    # (2026-12-05): a situation told in the kit's own words (a PMA, the REINFO, a concession,
    # the IGAFOM, a community, mercury), before the question or after it. Looked at while
    # changing the search: Minka 68.0 % / 18.5 % before, 76.1 / 11.3 after (6d01386, 7c67315).
    "eighth": [
        "tenemos un caso de un pma que trabaja en una concesion ajena, {q}",
        "en la region nos piden un informe del reinfo, {q}",
        "un productor minero artesanal vino con su constancia, {q}",
        "estamos revisando el igafom de un minero en formalizacion, {q}",
        "hay un conflicto de una comunidad campesina con un concesionario, {q}",
        "la drem recibio una denuncia por uso de mercurio, {q}",
        "{q}? lo pregunto por un titular que no tiene reinfo",
        "tenemos una mesa de trabajo con la ana y el oefa, {q}",
        "el gobierno regional esta fiscalizando a pequeños productores, {q}",
        "sobre la regalia y el derecho de vigencia ya lei, pero {q}",
    ],
    # Written at the same time as the eighth, measured before the change (65.1 % / 10.8 %)
    # and once after it (70.0 / 9.6), never looked at question by question.
    "ninth": [
        "ayer en el taller con pallaqueras y mineros informales salio esto, {q}",
        "un minero ilegal de la zona dice que tiene petitorio en ingemmet, {q}",
        "revisando expedientes de pequeños productores mineros, {q}",
        "la municipalidad provincial y la direccion regional de energia y minas discuten, {q}",
        "{q}, es por una inspeccion de seguridad en un socavon",
        "el consejo regional aprobo una ordenanza sobre mineria artesanal, {q}",
        "tenemos mineros con reinfo suspendido en la cuenca, {q}",
        "con lo de la ley 32537 y la ampliacion, {q}",
        "{q}? un pma de la provincia quiere saber",
        "nos llego un oficio del minem sobre la formalizacion, {q}",
    ],
}


def main() -> int:
    # The tuning questions are the kit's example questions: each wrapped one would find
    # itself there, so the search runs without them.
    kb = KnowledgeBase.load()
    kb = KnowledgeBase(kb.kit, kb.index.remember(()))
    cases = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    cases = [case for case in cases if kb.index.small_talk(case["q"]) is None]
    runners = {"Minka": minka_runner(kb), "FTS5": fts5_runner(kb, calibrate(cases, kb))}
    print(f"{len(cases)} tuning questions; top-1 / false answers")
    for name, run in runners.items():
        plain = evaluate(cases, run)
        print(f"{name}: plain {plain.top1:.1%} / {plain.false_answers:.1%}")
        for title, wrappers in WRAPPERS.items():
            found = [
                evaluate([{**case, "q": wrapper.format(q=case["q"])} for case in cases], run)
                for wrapper in wrappers
            ]
            top1 = sum(f.top1 for f in found) / len(found)
            false = sum(f.false_answers for f in found) / len(found)
            print(f"  {title} wrappers ({len(wrappers)}): {top1:.1%} / {false:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
