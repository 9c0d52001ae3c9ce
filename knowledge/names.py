"""Names of people as officials write them in Peru, folded (lower case, no accents, ñ kept),
for `knowledge.personal`: frequent given names and surnames in Peru (Spanish, Quechua and
Aymara), listed by hand, so that a name written in lower case («juan quispe mamani», «la
señora flores») is found although nothing marks it as one.

Many names are also ordinary words («flores», «torres», «luz», «julio», «tomas de agua»,
«la ANA»): those are in `ALSO_WORDS` and never count as a name alone, only after a title
or beside another name.
"""

from __future__ import annotations


def _listed(names: str) -> frozenset[str]:
    return frozenset(names.split())


GIVEN_NAMES = _listed(
    """
    abel adolfo adrian agustin alan alberto alejandrina alejandro alex alexander alfonso
    alfredo alicia alonso alvaro amalia amanda amelia americo anastasia andrea andres angela
    angelica anibal antonia antonio apolinario armando arturo beatriz benedicto benjamin
    bernardo bertha brenda bruno camila carla carlos carlota carmen carolina catalina
    cecilia celestino celia christian cirilo claudia claudio cleofe cristian cristina
    cynthia daniel daniela dante david delia diana diego doris edgar edith edson eduardo
    edwin elena elias elizabeth elmer eloy elsa elvira emiliano emilio enrique erick erika
    ernesto estela esther eugenio eusebio eva evaristo fabiola faustino fausto federico
    felipa felipe felix fernando fidel florencio francisca francisco freddy gabriel gabriela
    genaro gerardo german gilberto giovanna gladys graciela gregorio guadalupe guillermo
    gustavo haydee hector henry heraclio hernan hilda hipolito horacio hugo humberto ignacio
    ines irma isabel isidro ismael ivan jaime janet javier jeronimo jessica jhon jhonny
    joaquin jorge jose josefa josefina juan juana julia julian juliana justina justino karen
    karina katherine kelly laura leandro leonardo leoncio leonidas leticia liliana lorena
    lourdes lucia luciano lucila lucy luis luisa magaly manuel marcela marcelino marcelo
    margot maria mariana mariano maribel maricela marilu mario marisol maritza marleny marta
    martha martin matilde mauricio maximiliano melissa micaela miguel milton miriam moises
    monica nancy narciso natalia nelly nelson nestor nicolas nilton noemi octavio olga omar
    oscar pablo pamela patricia paula paulina pedro percy rafael raquel raul regina reynaldo
    ricardo richard roberto rodolfo rodrigo rolando romulo rosalia rosmery ruben rufino ruth
    sabino samuel sandra santiago sara saul sebastian sergio silvia simon sofia sonia susana
    teodoro teofilo teresa tiburcio timoteo valentin valeria vanessa veronica vicente victor
    vilma walter wilber wilfredo william wilmer wilson ximena yeni yesenia yolanda zenon
    zoila
    """
)

SURNAMES = _listed(
    """
    acosta aguilar aguirre alarcon alvarado alvarez apaza aquino arce arias ayala barrientos
    benites benitez bustamante caceres cahuana calderon cardenas carhuamaca carrasco carrion
    castaneda castañeda castro ccahuana ccallo ccama ccanto ccopa ccori chambi chavez
    chipana choque chura cjuno coaquira colque condori contreras cordova cornejo cusi cutipa
    davila dominguez escobar espinoza estrada farfan fernandez figueroa gallegos gamarra
    garcia gomez gonzales gonzalez guevara gutierrez guzman hernandez herrera huaman huamani
    huanca huarachi huaranga huarcaya huaycho huayta huillca inga jara jimenez larico layme
    limachi lopez lozano machaca maldonado mamani marquez martinez mayta medina mejia
    mendoza molina montoya morales nunez nuñez ochoa olivera ortega ortiz pacheco palomino
    paucar peralta perez pineda pizarro poma ponce quiroz quispe ramirez rivas rodriguez
    romero roque ruiz saavedra salazar sanchez sandoval silva sosa suarez sucasaire taipe
    tapia tello ticona toledo valdivia valverde vargas vasquez vazquez velasquez vilca
    villalobos villanueva yupanqui zamora zapata zarate zuniga zuñiga
    """
)

# Names that are also ordinary words, or an acronym the officials use («la ANA»).
ALSO_WORDS = _listed(
    """
    abril alba amparo ana angel angeles asuncion augusto aurora blanca blanco bravo bueno
    calla calle campos canales castillo cesar concepcion consuelo correa cruz cuadros cuba
    cueva cuevas delgado dolores domingo esperanza estrella flor flores franco fuentes
    gloria guerrero huerta inca julio justo leon libertad lobo luna luz marcos margarita
    marina maximo mercedes meza milagros modesto montes moreno nieto nieves nina norma
    palacios paredes paz peña pilar pinto prado ramos reyes rico rivera robles rocio rojas
    rosa rosario rosas rubio salas salinas salvador santos segundo serrano severo sierra
    soledad soto tomas torres valencia valle vega vera victoria violeta
    """
)

# Given names among ALSO_WORDS: first in a pair of names («rosa flores»), they count.
ALSO_GIVEN = _listed(
    """
    abril alba amparo angel angeles asuncion augusto aurora blanca cesar concepcion consuelo
    dolores domingo esperanza estrella flor gloria julio justo luz marcos margarita marina
    maximo mercedes milagros modesto nieves norma pilar rocio rosa rosario salvador santos
    segundo severo soledad tomas victoria violeta
    """
)

NAMES = GIVEN_NAMES | SURNAMES  # a name whatever words surround it
