"""Spanish as officials type it: folding, tokens, stems and a sound-alike key for typos."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from rapidfuzz.distance import OSA

from knowledge.wordset import WordSet, listed

_STEMMER = Stemmer.Stemmer("spanish")
_TOKEN = re.compile(r"[a-z0-9ñ]+")
_HYPHENATED = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9]{1,3}\b)")

# Question words, greetings and filler: they say nothing about which article is wanted. «un
# señor» is whoever the official talks about; not «señoras», whose work is a topic of the kit.
STOPWORDS = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes aqui asi aun ayuda ayudame
    ayudeme bien buenas buenos buen cada casi como con conmigo consulta consultar cual
    cuales cualquier cuando cuanta cuantas cuanto cuantos de debe deben debo decir define
    definicion del desde dia dias dice dime donde dos e el ella ellas ellos en entre era
    eres es esa esas ese eso esos esta estan estar este esto estos explica explicame
    explique favor fue gracias ha hay haber hace hacer hola info informacion informar la
    las le les lo los me mi mis mucho muy necesito ni no nos nosotros o oiga oye para pero
    podria podrias por porfa porque pregunta puede pueden puedes puedo pues que queria
    quien quienes quiero quisiera saber se sea segun ser si sido sin sirve sobre son soy
    su sus tal tambien tardes te tema tengo tiene tienen toda todas todo todos tu tus u un
    una unas uno unos usted ustedes va van ver y ya yo significa significado concepto
    significan sigla siglas
    noches exactamente hablame cuentame entiendo q k xq pq porq hasta tb tmb disculpe ahora hoy
    disculpa saludos estimado estimada ok
    quiere quieren queremos necesita necesitan necesitamos tenemos hago hacemos pasa pasaria
    sucede ocurre empiezo empezar comienzo comenzar sabe saben conoce
    nuestro nuestra nuestros nuestras vuestro vuestra mio mia mios mias tuyo tuya suyo suya
    suyos suyas nada nadie nunca siempre tampoco mas menos otro otra otros otras mismo misma
    mismos mismas tanto tanta tantos tantas cuyo cuya cuyos cuyas sera seran seria serian
    fueron estaba estaban estoy estamos esten estuvo he has hemos han habia habian hubo tuvo
    tenia tenian tener tengan tenga alguien contra durante mediante hacia tras sino mientras
    ello aquel aquella aquellos aquellas alli alla entonces luego despues tan solo vez veces
    cosa cosas etc vos osea todavia demasiado poco poca pocos pocas bastante
    hice hizo hicimos hicieron haga hagan hagamos voy vamos vaya vayan iba fui vengo viene
    vienen venga vengan venir vino vinieron doy da dan dar dio den digo dije dijo dijeron
    dicen diciendo decia verdad cierto explicar d x xfa xfavor pls plis
    pa pal explicarle explicarles explicale vendria vendrian palabras simples sencillo sencilla
    sencillas sencillos explicado explicada explicados señor
    """.split()  # noqa: SIM905
) | frozenset(
    # Officials' courtesy around a question: whom they address, thanks in advance, haste,
    # apologies, «una duda», greetings and thanks said around a question («muchas gracias»,
    # «le saluda…», which the stemmer reads as «salud»), their short forms («atte.», «Sr.»);
    # a word the kit lacks weighs as its rarest (see `knowledge.confidence`), so «disculpe
    # ingeniero, ¿qué es el OEFA?» lost its answer.
    """
    ingeniero ingeniera ingenieros ing inge doctor doctora dr dra licenciado licenciada lic
    colega colegas jefe jefa amigo amiga amigos compañero compañera señorita
    antemano anticipado adelantado agradezco agradeceria agradecere agradecido agradecida
    agradecemos amable amabilidad atentamente cordial cordiales cordialmente estimados
    estimadas apreciado apreciada molestia molestar disculpas perdon perdone
    urgente urgentes urgencia urgentemente rapido rapida rapidito rapidita pronta pronto
    prontitud ayudita favorcito duda dudas dudita consultita preguntita consultarle
    preguntarle orienteme indiqueme expliqueme digame informeme aclareme
    muchas muchisimas muchisimo saludo saluda saludamos saludarle saludarlo saludarla
    fa atte att ud uds sr sra srta grax
    """.split()  # noqa: SIM905
)


class _Unaccented(dict[int, str]):
    """Each character without its accents: its NFKD form less the combining marks, «ñ»
    kept. Folding a text character by character gives what folding it whole gives (NFKD
    decomposes each character on its own and only reorders combining marks, which go:
    tests/test_fold.py), in a third of the time; a question's text is folded whole some
    twenty times (its stretches, its parts), a seventh of the search's CPU before (#17).
    Only the first 2,048 code points are kept (Latin, Greek, Cyrillic...), so what people
    type cannot grow it past about 200 KB."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        bare = "".join(
            part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
        )
        folded = char if char == "ñ" else bare
        if code < 0x800:
            self[code] = folded
        return folded


_UNACCENTED = _Unaccented()


def _fold(text: str) -> str:
    lowered = text.casefold()
    plain = lowered if lowered.isascii() else lowered.translate(_UNACCENTED)
    return _HYPHENATED.sub("", plain)


# The caches here are bounded so that memory stays flat whatever people type: an entry costs
# about 200 bytes, a miss microseconds, and the Tool Kit's own words stay hot. Whole messages
# are folded each time, not kept (each is new; 65,536 of them held tens of MB).
_fold_word = lru_cache(maxsize=8192)(_fold)
WORD_CACHED = 32  # characters


def fold(text: str) -> str:
    """Lower case without accents (ñ kept), hyphenated acronyms joined (EIA-d → eiad)."""
    return _fold_word(text) if len(text) <= WORD_CACHED else _fold(text)


_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")


def words(text: str) -> list[str]:
    """The folded words of `text`; «%» is the word «porcentaje» (the kit writes «2%»,
    officials ask «¿qué porcentaje…?»), and a number is one word with or without its
    thousands separator (1,000 hectáreas; 1000; Ley 28.271)."""
    return _TOKEN.findall(_THOUSANDS.sub("", fold(text)).replace("%", " porcentaje "))


# Where a phrase ends: two words on either side of these are not said together (a bigram
# across «igafom . igac» in a keyword list, or across a sentence, would match a question
# that asks about both). A comma or point inside a number (90,000; 2.5) does not end one.
_SEGMENT_END = re.compile(r"[;:!?¿¡()\[\]\n|•]|[.,](?!\d)")


def segments(text: str) -> list[str]:
    """The stretches of `text` between punctuation marks."""
    return [part for part in _SEGMENT_END.split(text) if part.strip()]


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


# The most common Spanish verbs that say how, not what («¿a dónde lo mando?», «¿se puede
# presentar?», «¿cómo se llama?»): whether an article has one or not says little about
# whether it answers (see `knowledge.confidence`). As stems, so every form counts («mando»,
# «mandar», «mandaron»).
GENERIC_VERBS = frozenset(
    _STEMMER.stemWords(
        """
        poder hacer decir ir ver dar saber querer llegar pasar deber poner parecer quedar
        creer hablar llevar dejar seguir encontrar llamar venir pensar salir volver tomar
        conocer vivir sentir tratar mirar contar empezar esperar buscar existir entrar
        escribir perder ocurrir entender pedir recibir recordar terminar aparecer conseguir
        comenzar servir sacar necesitar mantener leer caer presentar abrir considerar oir
        acabar convertir ganar traer partir morir aceptar suponer comprender lograr explicar
        preguntar tocar reconocer alcanzar dirigir correr utilizar ayudar gustar jugar
        escuchar ofrecer descubrir levantar intentar decidir repetir olvidar valer comprar
        mandar enviar averiguar verificar revisar consultar hallar tener estar ser haber
        """.split()  # noqa: SIM905
    )
)

# An acronym that is also a common word (DIA, «día») is the acronym when typed in capitals,
# or in lower case in a question about mining, unless the words before it make it the
# common word («por día», «el día»).
MINING_CONTEXT = frozenset(
    """
    mina minas mineria minero minera mineros mineras minem drem grem ambiental ambientales
    proyecto proyectos estudio estudios impacto instrumento categoria seia senace eia
    aprueba aprobar aprobacion exploracion explotacion concesion
    """.split()  # noqa: SIM905
)
MINING_WORDS = frozenset("mina minas mineria minero minera mineros mineras".split())  # noqa: SIM905
COMMON_WORD_BEFORE = frozenset(
    """el un al del por cada buen buenos todo todos este ese""".split()  # noqa: SIM905
)
# «la DIA» is the declaration, typed in any case: «día» is masculine («el día»).
ACRONYM_BEFORE = frozenset("""la una esta esa otra""".split())  # noqa: SIM905


def plural(word: str) -> str | None:
    """The Spanish plural of a word that looks singular (taller → talleres, río → ríos,
    luz → luces), or None. Snowball stems some pairs apart (tall-/taller-, gobiern-/gobi-)."""
    if len(word) < 2 or not word.isalpha() or word[-1] in "sx":
        return None
    if word[-1] in "aeiou":
        return word + "s"
    return word[:-1] + "ces" if word[-1] == "z" else word + "es"


def singulars(word: str) -> list[str]:
    """The words whose plural `word` may be (talleres → tallere, taller; luces → luce, luz)."""
    found = [word[:-1]] if word.endswith("s") else []
    if word.endswith("es"):
        found.append(word[:-3] + "z" if word.endswith("ces") else word[:-2])
    return [w for w in found if len(w) >= 2 and plural(w) == word]


def undiphthonged(stemmed: str) -> list[str]:
    """The stem with a stressed diphthong undone, as Spanish verbs do (transfieren →
    transferir, pierdo → pérdida, renueva → renovación): another form of the same word."""
    return [
        stemmed[:i] + ("e" if pair == "ie" else "o") + stemmed[i + 2 :]
        for i in range(1, len(stemmed) - 1)
        if (pair := stemmed[i : i + 2]) in ("ie", "ue") and len(stemmed) >= 6
    ]  # not shorter ones: cuenta → cont, suelo → sol would change the word


_CAPITALS = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{2,}\b")

# Greetings, thanks and small talk: a message made only of these (and stopwords) is not a
# question. It gets a friendly reply and is not counted as a Tool Kit question.
SMALL_TALK = {
    kind: frozenset(vocabulary.split())
    for kind, vocabulary in {
        # «grax», «dios le pague»: thanks as officials type and say them
        # «muy útil», praise that thanks
        "thanks": "gracias grax grasias agradecido agradecida agradezco agradecemos amable "
        "muchas muchisimas mil pague atencion util utiles",
        # «mañana te seguimos preguntando»: leaving, to ask again later
        "bye": "chao chau adios luego pronto vemos cuidese mañana seguimos seguiremos sigo "
        "preguntando consultando",
        # Quechua and Aymara greetings (Puno, Cusco), and the forms of address around them
        # («buenos días señorita Minka, Dios le bendiga»)
        "greeting": "hola holas buenas buenos buen saludos saludo saludarle gusto hi hello alo "
        "ola estas tal kamisaraki allillanchu allinllachu imaynalla estimado estimada "
        "asistente ingeniero ingeniera ing inge señorita señora señor senorita senora senor "
        "doctor doctora licenciado licenciada",
        "chat": "ok okey okay oki okis oks vale listo genial perfecto excelente entendido "
        "entendi claro jaja jajaja jeje jiji si no bueno igualmente",
    }.items()
}


def in_capitals(text: str, acronyms: frozenset[str]) -> set[str]:
    """The `acronyms` typed in capitals in `text` (DIA, not «día»)."""
    return {fold(w) for w in _CAPITALS.findall(text)} & acronyms if acronyms else set()


def shouted(text: str) -> bool:
    """A message of several words all in capitals («QUÉ DÍA ES HOY»): capitals say
    nothing about acronyms there."""
    return text == text.upper() and len(_TOKEN.findall(fold(text))) > 1


# «hola Minka», «gracias Minka»: the bot addressed by its name, not asked about.
_BOT_NAME = "minka"
_ADDRESSING = frozenset(
    """hola ola buenas buenos dia dias tardes noches gracias oye oiga hey estimada estimado
    compañera compañero""".split()  # noqa: SIM905
)
# Courtesy formulas that offer, not ask: «buenas tardes, Minka. A la orden.»
_COURTESY = re.compile(r"\ba\s+(?:la|sus?)\s+(?:[oó]rden(?:es)?|disposici[oó]n)\b", re.IGNORECASE)


def without_courtesy(text: str) -> str:
    """`text` without its courtesy formulas (`_COURTESY`), which ask nothing."""
    return _COURTESY.sub(" ", text)


def addressed(found: list[str], i: int) -> bool:
    """Whether `found[i]` is Minka's name said to it, after a greeting or thanks («okis
    muchas grax minka»)."""
    before = found[i - 1] if i > 0 else ""
    return found[i] == _BOT_NAME and (before in _ADDRESSING or is_small_talk(before))


def content_words(text: str, acronyms: frozenset[str] = frozenset()) -> list[str]:
    """The words that say what is asked. A stopword that is also an acronym of the kit
    (`acronyms`, e.g. dia for DIA) is kept when it was typed in capitals; «días» is kept
    when counted (see `counted_days`)."""
    kept = in_capitals(text, acronyms)
    found = words(text)
    return [
        w for i, w in enumerate(found) if w not in STOPWORDS or w in kept or counted_days(found, i)
    ]


_DAYS = frozenset({"dia", "dias"})
_COUNTING = frozenset({"cuantos", "cuantas"})


def counted_days(found: list[str], i: int) -> bool:
    """Whether `found[i]` is «días» counted («120 días», «¿en cuántos días?»): a term, the
    length of a deadline, not the «día» of a greeting or of «por día»."""
    return found[i] in _DAYS and i > 0 and (found[i - 1].isdigit() or found[i - 1] in _COUNTING)


_STOPWORD_SOUNDS: dict[str, str] = {}  # filled below, once _SOUNDS is defined


@lru_cache(maxsize=4096)
def misspelt_stopword(word: str) -> str | None:
    """The question word or filler a typed word stands for («ke», «kuanto», «quein», «dode»,
    «ola»), or None. Same sound, or one edit away when the word is not itself Spanish
    («cuento» is a word, not «cuánto» misspelt). The caller keeps the Tool Kit's own words."""
    if word in STOPWORDS or word.isdigit():
        return None
    found = _STOPWORD_SOUNDS.get(sound_key(word))
    if found is not None or len(word) < 4 or word in spanish_words():
        return found
    for candidate in _LONG_STOPWORDS.get(word[0], ()):
        if abs(len(candidate) - len(word)) <= 1 and OSA.distance(word, candidate) <= 1:
            return candidate
    return None


# Thanks or approval sent alone, after an answer: «👍», «🙏».
THANKS_SIGNS = frozenset("👍🙏👌🙌👏🤝❤♥")


def small_talk(text: str) -> str | None:
    """'thanks', 'bye', 'greeting' or 'chat' when the message asks nothing; None otherwise.
    Only messages with no content word qualify: «hola, ¿qué es el REINFO?» is a question;
    a message without any word («👍», «🙂», «?») asks nothing the Tool Kit could answer."""
    found = words(without_courtesy(text))
    if not found:
        return "thanks" if not THANKS_SIGNS.isdisjoint(text) else "chat"
    typed = [w for i, w in enumerate(found) if not addressed(found, i)]
    if not typed or any(w not in STOPWORDS and not is_small_talk(w) for w in typed):
        return None
    for kind, vocabulary in SMALL_TALK.items():
        if any(w in vocabulary for w in typed):
            return kind
    return "chat"


# A blessing closes a greeting as well as thanks or a goodbye («buenos días, Dios le
# bendiga»): small talk of no kind of its own.
_BLESSING = frozenset("dios bendiga bendiciones".split())  # noqa: SIM905


def is_small_talk(word: str) -> bool:
    """A folded word of greetings, thanks or chat."""
    return word in _BLESSING or any(word in vocabulary for vocabulary in SMALL_TALK.values())


def spanish_words() -> WordSet:
    """Common Spanish words (folded), from pyspellchecker's frequency list (knowledge.
    build_wordlists): a word that is already correct Spanish is never "repaired" into a
    different word of the Tool Kit."""
    return listed("es")


_SOUNDS = [
    (re.compile(r"ñ"), "n"),
    (re.compile(r"h"), ""),
    (re.compile(r"qu"), "k"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"v"), "b"),
    (re.compile(r"ll"), "y"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "u"),
    (re.compile(r"(.)\1+"), r"\1"),
]


@lru_cache(maxsize=8192)
def sound_key(word: str) -> str:
    """Spanish spelling collapsed to sound: formalisacion, formalizacion → the same key."""
    key = word
    for pattern, replacement in _SOUNDS:
        key = pattern.sub(replacement, key)
    return key


for _word in sorted(STOPWORDS, key=lambda w: (len(w), w)):
    if len(_word) >= 2:
        _STOPWORD_SOUNDS.setdefault(sound_key(_word), _word)
_LONG_STOPWORDS: dict[str, list[str]] = {}
for _word in sorted(STOPWORDS):
    if len(_word) >= 4:
        _LONG_STOPWORDS.setdefault(_word[0], []).append(_word)
