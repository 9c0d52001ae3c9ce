"""Peru's 196 provinces by region code, and provinces as people type them (accent- and
case-insensitive, tolerant of small typos).

The Gobierno Regional de Lima covers the nine provinces outside Lima province; Lima province
is Lima Metropolitana's. MINEM's central level has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.services.regions import CONFIDENT, POSSIBLE, normalize

PROVINCES: dict[str, tuple[str, ...]] = {
    "amazonas": (
        "Bagua",
        "Bongará",
        "Chachapoyas",
        "Condorcanqui",
        "Luya",
        "Rodríguez de Mendoza",
        "Utcubamba",
    ),
    "ancash": (
        "Aija",
        "Antonio Raymondi",
        "Asunción",
        "Bolognesi",
        "Carhuaz",
        "Carlos Fermín Fitzcarrald",
        "Casma",
        "Corongo",
        "Huaraz",
        "Huari",
        "Huarmey",
        "Huaylas",
        "Mariscal Luzuriaga",
        "Ocros",
        "Pallasca",
        "Pomabamba",
        "Recuay",
        "Santa",
        "Sihuas",
        "Yungay",
    ),
    "apurimac": (
        "Abancay",
        "Andahuaylas",
        "Antabamba",
        "Aymaraes",
        "Chincheros",
        "Cotabambas",
        "Grau",
    ),
    "arequipa": (
        "Arequipa",
        "Camaná",
        "Caravelí",
        "Castilla",
        "Caylloma",
        "Condesuyos",
        "Islay",
        "La Unión",
    ),
    "ayacucho": (
        "Cangallo",
        "Huamanga",
        "Huanca Sancos",
        "Huanta",
        "La Mar",
        "Lucanas",
        "Parinacochas",
        "Páucar del Sara Sara",
        "Sucre",
        "Víctor Fajardo",
        "Vilcas Huamán",
    ),
    "cajamarca": (
        "Cajabamba",
        "Cajamarca",
        "Celendín",
        "Chota",
        "Contumazá",
        "Cutervo",
        "Hualgayoc",
        "Jaén",
        "San Ignacio",
        "San Marcos",
        "San Miguel",
        "San Pablo",
        "Santa Cruz",
    ),
    "callao": ("Callao",),
    "cusco": (
        "Acomayo",
        "Anta",
        "Calca",
        "Canas",
        "Canchis",
        "Chumbivilcas",
        "Cusco",
        "Espinar",
        "La Convención",
        "Paruro",
        "Paucartambo",
        "Quispicanchi",
        "Urubamba",
    ),
    "huancavelica": (
        "Acobamba",
        "Angaraes",
        "Castrovirreyna",
        "Churcampa",
        "Huancavelica",
        "Huaytará",
        "Tayacaja",
    ),
    "huanuco": (
        "Ambo",
        "Dos de Mayo",
        "Huacaybamba",
        "Huamalíes",
        "Huánuco",
        "Lauricocha",
        "Leoncio Prado",
        "Marañón",
        "Pachitea",
        "Puerto Inca",
        "Yarowilca",
    ),
    "ica": ("Chincha", "Ica", "Nasca", "Palpa", "Pisco"),
    "junin": (
        "Chanchamayo",
        "Chupaca",
        "Concepción",
        "Huancayo",
        "Jauja",
        "Junín",
        "Satipo",
        "Tarma",
        "Yauli",
    ),
    "la-libertad": (
        "Ascope",
        "Bolívar",
        "Chepén",
        "Gran Chimú",
        "Julcán",
        "Otuzco",
        "Pacasmayo",
        "Pataz",
        "Sánchez Carrión",
        "Santiago de Chuco",
        "Trujillo",
        "Virú",
    ),
    "lambayeque": ("Chiclayo", "Ferreñafe", "Lambayeque"),
    "lima": (
        "Barranca",
        "Cajatambo",
        "Canta",
        "Cañete",
        "Huaral",
        "Huarochirí",
        "Huaura",
        "Oyón",
        "Yauyos",
    ),
    "loreto": (
        "Alto Amazonas",
        "Datem del Marañón",
        "Loreto",
        "Mariscal Ramón Castilla",
        "Maynas",
        "Putumayo",
        "Requena",
        "Ucayali",
    ),
    "madre-de-dios": ("Manu", "Tahuamanu", "Tambopata"),
    "moquegua": ("General Sánchez Cerro", "Ilo", "Mariscal Nieto"),
    "pasco": ("Daniel Alcides Carrión", "Oxapampa", "Pasco"),
    "piura": (
        "Ayabaca",
        "Huancabamba",
        "Morropón",
        "Paita",
        "Piura",
        "Sechura",
        "Sullana",
        "Talara",
    ),
    "puno": (
        "Azángaro",
        "Carabaya",
        "Chucuito",
        "El Collao",
        "Huancané",
        "Lampa",
        "Melgar",
        "Moho",
        "Puno",
        "San Antonio de Putina",
        "San Román",
        "Sandia",
        "Yunguyo",
    ),
    "san-martin": (
        "Bellavista",
        "El Dorado",
        "Huallaga",
        "Lamas",
        "Mariscal Cáceres",
        "Moyobamba",
        "Picota",
        "Rioja",
        "San Martín",
        "Tocache",
    ),
    "tacna": ("Candarave", "Jorge Basadre", "Tacna", "Tarata"),
    "tumbes": ("Contralmirante Villar", "Tumbes", "Zarumilla"),
    "ucayali": ("Atalaya", "Coronel Portillo", "Padre Abad", "Purús"),
    "lima-metropolitana": ("Lima",),
    "minem": (),
}
_FILLER = re.compile(r"\b(provincia( de(l)?)?|prov)\b")


def provinces_of(region_code: str | None) -> tuple[str, ...]:
    """The region's provinces in alphabetical order; () for MINEM or an unknown code."""
    return PROVINCES.get(region_code or "", ())


def belongs(region_code: str, province: str) -> bool:
    return province in provinces_of(region_code)


@dataclass(frozen=True, slots=True)
class ProvinceMatch:
    """`province` when the text names one of the region's provinces for sure; otherwise up to
    three candidates."""

    province: str | None
    candidates: tuple[str, ...] = ()


def match_province(region_code: str | None, text: str) -> ProvinceMatch:
    names = provinces_of(region_code)
    query = normalize(text)
    if not names or not query:
        return ProvinceMatch(None)
    exact = [name for name in names if normalize(name) == query]
    if exact:
        return ProvinceMatch(exact[0])
    stripped = " ".join(_FILLER.sub(" ", query).split()) or query
    scored = sorted(
        ((fuzz.ratio(stripped, normalize(name)), name) for name in names),
        key=lambda pair: pair[0],
        reverse=True,
    )
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score >= CONFIDENT and best_score - runner_up >= 10:
        return ProvinceMatch(best)
    return ProvinceMatch(None, tuple(name for score, name in scored[:3] if score >= POSSIBLE))
