"""The command line's grammar, in Spanish (argparse's own texts included)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="uso: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking Spanish: titles, the -h option and the common errors."""

    _ERRORS = (
        ("the following arguments are required:", "faltan argumentos:"),
        ("invalid choice:", "opción desconocida:"),
        ("invalid int value:", "debe ser un número entero:"),
        ("expected one argument", "falta su valor"),
        ("expected at least one argument", "falta al menos un valor"),
        ("ambiguous option:", "opción ambigua:"),
        (" could match ", " puede ser "),
        ("unrecognized arguments:", "argumentos no reconocidos:"),
        ("(choose from", "(elija entre"),
        ("one of the arguments ", "falta una de las opciones "),
        (" is required", ""),
        ("not allowed with argument", "no se puede usar junto con"),
        ("argument ", "argumento "),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumentos"
        self._optionals.title = "opciones"
        self.add_argument("-h", "--help", action="help", help="muestra esta ayuda y termina")

    def error(self, message: str) -> NoReturn:
        for english, spanish in self._ERRORS:
            message = message.replace(english, spanish)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bot",
        description=(
            "Minka: asistente de Telegram para la pequeña minería y minería artesanal. "
            "Sin orden, inicia el bot si hay TELEGRAM_BOT_TOKEN y, si no, la demostración local."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="<orden>")
    run = commands.add_parser(
        "run", help="inicia el bot con long polling (aplica antes las migraciones)"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="recibe las actualizaciones por webhook (WEBHOOK_URL, WEBHOOK_SECRET, HOST, PORT)",
    )
    demo = commands.add_parser(
        "demo", help="chat de demostración en la terminal, sin token ni internet"
    )
    demo.add_argument(
        "--db",
        metavar="ARCHIVO",
        help="archivo SQLite de la demostración (por defecto uno temporal, nuevo cada vez)",
    )
    db = commands.add_parser("db", help="base de datos").add_subparsers(
        dest="db_command", metavar="<orden>", required=True
    )
    db.add_parser("upgrade", help="aplica las migraciones pendientes")
    move = db.add_parser(
        "migrar-a",
        help="copia toda la base (DATABASE_URL) a otra nueva y vacía (de SQLite a PostgreSQL)",
        description=(
            "Copia cada tabla de la base de DATABASE_URL a la base URL, que debe estar vacía "
            "(recién creada), y compara las cantidades de filas. Detenga Minka antes."
        ),
    )
    move.add_argument(
        "url", metavar="URL", help="postgresql+asyncpg://usuario:clave@host/base de destino"
    )
    backup = db.add_parser(
        "respaldo",
        help="copia de seguridad consistente (SQLite o PostgreSQL), con el bot en marcha",
    )
    backup.add_argument(
        "archivo", metavar="ARCHIVO", nargs="?", help="archivo nuevo donde escribir la copia"
    )
    backup.add_argument(
        "--carpeta",
        metavar="DIR",
        help=(
            "en vez de ARCHIVO: escribe minka-AAAA-MM-DD_HHMMSS.sqlite3 (o .dump, con "
            "PostgreSQL) en esta carpeta"
        ),
    )
    backup.add_argument(
        "--conservar",
        type=int,
        metavar="DÍAS",
        help="con --carpeta: borra las copias minka-* de esa carpeta de más de DÍAS días",
    )
    kb = commands.add_parser("kb", help="contenido del Tool Kit").add_subparsers(
        dest="kb_command", metavar="<orden>", required=True
    )
    check = kb.add_parser("revisar", help="valida artículos y glosario (error si hay fallas)")
    check.add_argument(
        "--hoy",
        metavar="AAAA-MM-DD",
        help="juzgar los plazos como si hoy fuera esta fecha (por defecto, hoy en Lima)",
    )
    stats = kb.add_parser(
        "estadisticas", help="artículos por tema y errores reportados por artículo"
    )
    for sub in (check, stats):
        sub.add_argument(
            "--carpeta",
            metavar="DIR",
            help="carpeta del contenido (por defecto KB_DIR, o la del paquete)",
        )
    kb.add_parser(
        "recargar",
        help="revisa KB_DIR y pide a Minka en marcha que publique los cambios, sin reiniciar",
    )
    unanswered = kb.add_parser(
        "sin-respuesta", help="preguntas frecuentes sin respuesta segura o marcadas como no útiles"
    )
    unanswered.add_argument("--limite", type=int, default=20, metavar="N", help="cuántas mostrar")
    report = commands.add_parser(
        "informe",
        help="informe de indicadores del programa (XLSX o carpeta de CSV)",
        description=(
            "Calcula los indicadores del programa para el periodo (fechas de Lima, "
            "ambas incluidas), por región y por sexo."
        ),
    )
    report.add_argument("--desde", required=True, metavar="AAAA-MM-DD", help="primer día")
    report.add_argument("--hasta", required=True, metavar="AAAA-MM-DD", help="último día")
    report.add_argument("--region", metavar="NOMBRE", help="solo esta región (por defecto todas)")
    report.add_argument(
        "--salida", required=True, metavar="RUTA", help="archivo .xlsx, o carpeta si es CSV"
    )
    report.add_argument(
        "--sobrescribir",
        action="store_true",
        help="reemplaza el archivo o escribe en la carpeta de --salida aunque ya exista",
    )
    report.add_argument(
        "--formato", choices=("xlsx", "csv"), default="xlsx", help="xlsx (por defecto) o csv"
    )
    admin = commands.add_parser("admin", help="administración").add_subparsers(
        dest="admin_command", metavar="<orden>", required=True
    )
    coordinator = _person_order(
        admin,
        "agregar-coordinador",
        help="da el rol de coordinador a una persona, con las regiones que cubre",
        description=(
            "Da el rol de coordinador con su cobertura: las regiones cuyos casos, talleres, "
            "reuniones e indicadores verá (--region, repetible) o todo el país (--nacional). "
            "La cobertura la fija usted, nunca la región del perfil de la persona. Si la "
            "persona aún no usa Minka, el rol y la cobertura se aplican cuando acepte el aviso "
            "de privacidad. Repetir la orden reemplaza la cobertura anterior."
        ),
    )
    scope = coordinator.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--region",
        action="append",
        metavar="NOMBRE",
        help="una región que cubre (repetible: --region Puno --region Cusco)",
    )
    scope.add_argument("--nacional", action="store_true", help="cubre todas las regiones")
    _person_order(admin, "agregar-especialista", help="da el rol de especialista a una persona")
    _person_order(
        admin,
        "quitar-rol",
        help="quita el rol (vuelve a funcionario) o cancela un rol pendiente",
        description=(
            "Quita el rol de especialista o coordinador (y su cobertura): la persona vuelve a "
            "ser funcionario. Si la persona aún no usa Minka, cancela el rol que la esperaba. "
            "Los administradores de BOT_ADMIN_IDS se cambian en la configuración."
        ),
    )
    team = _person_order(
        admin,
        "agregar-equipo",
        help="hace a una persona registrada parte del Equipo Regional de una región",
        description=(
            "Los miembros del Equipo Regional envían el informe mensual de su región. La "
            "pertenencia la fija usted, nunca la institución del perfil de la persona. "
            "Repetir la orden cambia la región."
        ),
    )
    team.add_argument("--region", required=True, metavar="NOMBRE", help="la región del equipo")
    _person_order(admin, "quitar-equipo", help="quita a una persona de su Equipo Regional")
    admin.add_parser(
        "listar-roles", help="personas con rol de especialista, coordinador o administrador"
    )
    workshops = commands.add_parser("talleres", help="talleres de capacitación").add_subparsers(
        dest="workshops_command", metavar="<orden>", required=True
    )
    load = workshops.add_parser(
        "importar",
        help="crea o actualiza talleres desde un CSV (todo o nada; repetirlo no duplica)",
        description=(
            "Importa talleres desde un archivo CSV en UTF-8 (separado por comas o por punto y "
            "coma) con el encabezado codigo,titulo,tema,inicio,fin,region,lugar,facilitador. "
            "Las fechas van como AAAA-MM-DD HH:MM en hora de Lima; una región vacía significa "
            "taller nacional o virtual; un código vacío se genera a partir del título, el "
            "inicio y la región. Si alguna fila tiene errores, no se importa nada."
        ),
    )
    load.add_argument("archivo", metavar="ARCHIVO", help="archivo CSV con los talleres")
    workshops.add_parser(
        "listar", help="talleres registrados, con asistentes y encuestas completadas"
    )
    material = workshops.add_parser(
        "material",
        help="agrega un material (presentación, PDF) a un taller, o lista los que tiene",
        description=(
            "Con ARCHIVO, lo agrega al taller (hasta 50 MB): quienes registraron su asistencia "
            "lo reciben con la encuesta al terminar el taller y luego desde /talleres. Sin "
            "ARCHIVO, lista los materiales del taller y cuántas personas recibieron cada uno."
        ),
    )
    material.add_argument("codigo", metavar="CÓDIGO", help="código del taller")
    material.add_argument("archivo", metavar="ARCHIVO", nargs="?", help="el archivo a agregar")
    _add_meetings(commands)
    _add_publications(commands)
    _add_visits(commands)
    return parser


def _add_visits(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    visits = commands.add_parser(
        "visitas",
        help="visitas de estudio: crear, listar, confirmar la delegación, cambiar y cancelar",
    ).add_subparsers(dest="visits_command", metavar="<orden>", required=True)
    create = visits.add_parser(
        "crear",
        help="crea una visita de estudio e invita a su público",
        description=(
            "Crea la visita, invita a las personas registradas que coinciden con el público "
            "(como en `reuniones crear`) y deja pendientes la invitación (Acepto / No puedo) y "
            "los recordatorios antes de la salida, que Minka envía mientras está en marcha. "
            "Las fechas van como AAAA-MM-DD HH:MM en la zona horaria configurada. Imprime el "
            "código de la visita en la primera línea."
        ),
    )
    create.add_argument("--titulo", required=True, metavar="TÍTULO", help="título de la visita")
    create.add_argument(
        "--destino", required=True, metavar="DESTINO", help="p. ej. «Toronto y Sudbury, Canadá»"
    )
    create.add_argument(
        "--inicio", required=True, metavar="FECHA", help='salida, como "AAAA-MM-DD HH:MM"'
    )
    create.add_argument(
        "--fin", required=True, metavar="FECHA", help='regreso, como "AAAA-MM-DD HH:MM"'
    )
    create.add_argument(
        "--invitar",
        required=True,
        action="append",
        metavar="PÚBLICO",
        help=(
            "a quién invitar: todos, region:NOMBRE, institucion:gr|minem|regional_team|other, "
            "rol:funcionario|especialista|coordinador|admin o id:ID_DE_TELEGRAM; repetible"
        ),
    )
    create.add_argument(
        "--recordatorios",
        metavar="LISTA",
        help="cuánto antes de la salida recordar (por defecto 14d,3d,1d); solo a quien aceptó",
    )
    create.add_argument(
        "--indicaciones",
        metavar="TEXTO",
        help="itinerario, documentos que llevar…: van con la invitación y los recordatorios",
    )
    visits.add_parser(
        "listar", help="visitas con invitados, aceptaciones, rechazos y delegación confirmada"
    )
    confirm = visits.add_parser(
        "confirmar",
        help="confirma en la delegación a invitados que aceptaron",
        description="Confirma en la delegación de la visita a las personas indicadas por su "
        "ID de Telegram; solo se puede confirmar a quien aceptó la invitación.",
    )
    confirm.add_argument("codigo", metavar="CÓDIGO", help="código de la visita (ver listar)")
    confirm.add_argument("ids", nargs="+", metavar="ID", help="ID de Telegram de cada persona")
    change = visits.add_parser(
        "cambiar",
        help="cambia las fechas o el destino de una visita y avisa a sus invitados",
        description=(
            "Antes de la salida: cambia el destino, la salida, el regreso o las indicaciones "
            "(lo que no se indique queda igual), avisa a cada invitado con los botones para "
            "responder, y los recordatorios y el cuestionario pasan a las nuevas fechas. Queda "
            "en el registro de auditoría."
        ),
    )
    change.add_argument("codigo", metavar="CÓDIGO", help="código de la visita (ver listar)")
    change.add_argument("--destino", metavar="DESTINO", help="el nuevo destino")
    change.add_argument("--inicio", metavar="FECHA", help='nueva salida, como "AAAA-MM-DD HH:MM"')
    change.add_argument("--fin", metavar="FECHA", help='nuevo regreso, como "AAAA-MM-DD HH:MM"')
    change.add_argument("--indicaciones", metavar="TEXTO", help="las nuevas indicaciones")
    cancel = visits.add_parser(
        "cancelar",
        help="cancela una visita y avisa a sus invitados",
        description=(
            "Antes de la salida: cancela la visita, deja pendiente el aviso de cancelación "
            "para cada invitado (Minka lo envía por sí solo) y anula los recordatorios y el "
            "cuestionario. Queda en el registro de auditoría."
        ),
    )
    cancel.add_argument("codigo", metavar="CÓDIGO", help="código de la visita (ver listar)")


def _add_publications(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    publications = commands.add_parser(
        "publicaciones", help="publicaciones del programa: agregar, listar y retirar"
    ).add_subparsers(dest="publications_command", metavar="<orden>", required=True)
    add = publications.add_parser(
        "agregar",
        help="publica un documento PDF: se ofrece en /publicaciones",
        description=(
            "Guarda el PDF (hasta 50 MB) con su título y resumen; desde entonces quien lo pida "
            "en /publicaciones lo recibe con el resumen, y cada persona que lo recibe se cuenta "
            "una vez en el indicador de difusión. Imprime el número de la publicación."
        ),
    )
    add.add_argument("archivo", metavar="ARCHIVO.pdf", help="el documento, en PDF")
    add.add_argument("--titulo", required=True, metavar="TÍTULO", help="hasta 200 caracteres")
    add.add_argument(
        "--resumen", required=True, metavar="TEXTO", help="hasta 800 caracteres; va con el archivo"
    )
    add.add_argument(
        "--fecha", metavar="AAAA-MM-DD", help="fecha de publicación (por defecto, hoy en Lima)"
    )
    publications.add_parser(
        "listar",
        help="publicaciones con su fecha, estado y personas que las recibieron",
    )
    withdraw = publications.add_parser(
        "retirar",
        help="deja de ofrecer una publicación (lo ya difundido sigue contando)",
    )
    withdraw.add_argument("numero", type=int, metavar="NÚMERO", help="número de la publicación")


def _add_meetings(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    meetings = commands.add_parser(
        "reuniones", help="reuniones de coordinación: crear, listar y cancelar"
    ).add_subparsers(dest="meetings_command", metavar="<orden>", required=True)
    create = meetings.add_parser(
        "crear",
        help="programa una reunión e invita a su público (cada vez crea una reunión nueva)",
        description=(
            "Programa una reunión, invita a las personas registradas que coinciden con el "
            "público indicado y deja pendientes la invitación y los recordatorios: Minka los "
            "envía por sí solo mientras está en marcha. Las fechas van como AAAA-MM-DD HH:MM "
            "en la zona horaria configurada (BOT_TIMEZONE, America/Lima por defecto). Imprime "
            "el código de la reunión en la primera línea. Repetir la orden crea otra reunión."
        ),
    )
    create.add_argument("--titulo", required=True, metavar="TÍTULO", help="título de la reunión")
    create.add_argument(
        "--tipo",
        required=True,
        metavar="TIPO",
        help="coordinacion (MINEM–GR), comite (alto nivel), tecnica u otra",
    )
    create.add_argument(
        "--inicio", required=True, metavar="FECHA", help='inicio, como "AAAA-MM-DD HH:MM"'
    )
    create.add_argument(
        "--fin",
        required=True,
        metavar="FECHA",
        help='fin, como "AAAA-MM-DD HH:MM" (posterior al inicio)',
    )
    create.add_argument("--lugar", metavar="LUGAR", help="lugar de la reunión (opcional)")
    create.add_argument(
        "--enlace", metavar="URL", help="enlace de la videollamada, http:// o https:// (opcional)"
    )
    create.add_argument("--agenda", metavar="TEXTO", help="agenda de la reunión (opcional)")
    create.add_argument(
        "--invitar",
        required=True,
        action="append",
        metavar="PÚBLICO",
        help=(
            "a quién invitar: todos, region:NOMBRE, institucion:gr|minem|equipo_regional|otra, "
            "rol:funcionario|especialista|coordinador|admin o id:ID_DE_TELEGRAM; se puede "
            "repetir (se invita a quien coincida con alguno) y se exige al menos uno"
        ),
    )
    create.add_argument(
        "--recordatorios",
        metavar="LISTA",
        help=(
            "cuánto antes del inicio recordar, en días (d), horas (h) o minutos (m), "
            "separados por comas (por defecto 7d,1d,2h); los que ya pasaron se omiten"
        ),
    )
    meetings.add_parser(
        "listar",
        help="reuniones registradas, con invitados, confirmados y rechazos",
        description=(
            "Lista las reuniones con su código, inicio y fin (en la zona horaria configurada), "
            "tipo, estado, título, invitados, confirmados (asistirán o enviarán a alguien) y "
            "rechazos."
        ),
    )
    cancel = meetings.add_parser(
        "cancelar",
        help="cancela una reunión y avisa a sus invitados",
        description=(
            "Cancela la reunión: anula sus recordatorios pendientes y deja pendiente el aviso "
            "de cancelación para cada invitado, que Minka envía por sí solo."
        ),
    )
    cancel.add_argument("codigo", metavar="CÓDIGO", help="código de la reunión (ver listar)")


def _person_order(
    orders: argparse._SubParsersAction, name: str, **options: str
) -> argparse.ArgumentParser:
    """An admin order about one person, named by their numeric Telegram id."""
    order = orders.add_parser(name, **options)
    order.add_argument("telegram_id", type=int, help="id numérico de Telegram")
    return order
