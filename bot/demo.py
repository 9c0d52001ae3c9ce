"""`python -m bot demo`: Minka against the local Bot API server, chatted with in the terminal.

No token and no internet: the server runs in this process, the bot long-polls it like it would
Telegram, and the person types messages or presses inline buttons by their number.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.local_api import BotEvent, LocalBotApi
from bot.runner import minka
from bot.runtime import Runtime

DEMO_TOKEN = "100000001:DEMOdemoDEMOdemoDEMOdemoDEMOdemo123"
DEMO_USER_ID = 1000001
QUIET_SECONDS = 0.8  # wait this long without news before the next line (or the prompt)
REPLY_SECONDS = 30.0  # and at most this long for the first news after a line (a busy machine)
PROMPT = "> "

INTRO = """\
Minka — demostración local (sin internet ni token de Telegram)
Usted es «Ana Quispe», funcionaria de prueba, con rol de administradora para probarlo todo.
Escriba mensajes o comandos (/start, /menu, /perfil, /ayuda...).
Para pulsar un botón, escriba su número; si la pregunta espera un texto o un número
escrito, el número es su respuesta: pulse entonces con #número (por ejemplo #2).
Para salir: «salir», Ctrl+D o Ctrl+C.
"""


class TerminalChat:
    """Prints what Minka does in the chat and turns typed lines into messages or presses."""

    def __init__(
        self,
        api: LocalBotApi,
        user_id: int,
        out: TextIO,
        files_dir: Path,
        typed_answer: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.api = api
        self.user_id = user_id
        self.out = out
        self.files_dir = files_dir
        self.buttons: dict[int, tuple[int, str]] = {}  # number -> (message id, callback data)
        self.activity = asyncio.Event()
        self._toasts: set[asyncio.Task[None]] = set()
        # Whether the current step reads a typed answer (then «2» is an answer, not button 2).
        self.typed_answer = typed_answer
        self.prompting = False  # the prompt is on screen, waiting for a line

    def write(self, text: str) -> None:
        if self.prompting:  # a late reply: under the prompt's line, then the prompt again
            self.out.write("\n" + text + "\n" + PROMPT)
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def prompt(self) -> None:
        self.out.write(PROMPT)
        self.out.flush()
        self.prompting = True

    async def show_events(self) -> None:
        while True:
            try:
                event = await self.api.next_event(self.user_id, timeout=3600)
            except TimeoutError:
                continue
            if event.method == "sendChatAction":
                continue  # «typing…» is not the answer: keep waiting for it
            self.activity.set()
            self.render(event)

    def render(self, event: BotEvent) -> None:
        if event.method == "deleteMessage":
            self.write("  (Minka borró un mensaje)")
            return
        if event.method in ("sendDocument", "sendPhoto"):
            lines = [f"\nMinka envió un archivo: {self.save_file(event)}"]
            self.write("\n".join(lines + ([f"  {event.text}"] if event.text else [])))
            return
        heading = "Minka (editó su mensaje):" if event.method.startswith("edit") else "Minka:"
        body = event.text or ""
        lines = [f"\n{heading}", *(f"  {line}" for line in body.splitlines())]
        self.write("\n".join(lines + self.number_buttons(event)))

    def number_buttons(self, event: BotEvent) -> list[str]:
        """Number the message's buttons (they replace the previous ones); their lines."""
        rows = event.buttons
        if not rows:
            return []
        self.buttons.clear()
        number = 0
        lines = []
        for row in rows:
            labels = []
            for button in row:
                if "callback_data" not in button:
                    continue
                number += 1
                assert event.message_id is not None
                self.buttons[number] = (event.message_id, button["callback_data"])
                labels.append(f"[{number}] {button['text']}")
            if labels:
                lines.append("    " + "   ".join(labels))
        return lines

    def save_file(self, event: BotEvent) -> str:
        document = event.params.get("document") or event.params.get("photo")
        name = getattr(document, "filename", None) or "archivo"
        file_id = event.params.get("file_id")
        content = self.api.files.get(file_id) if file_id else None
        if content is None and self.api.files:
            content = list(self.api.files.values())[-1]
        path = self.files_dir / Path(str(name)).name
        path.write_bytes(content or b"")
        return str(path)

    async def pressed(self, text: str) -> tuple[int, str] | None:
        """The button a typed line presses: «#2» always; «2» only when the current step does
        not read a typed answer (a capacity of 2 must not press «Cancelar»)."""
        if text.startswith("#") and text[1:].isdigit():
            return self.buttons.get(int(text[1:]))
        if not text.isdigit() or int(text) not in self.buttons:
            return None
        if self.typed_answer is not None and await self.typed_answer():
            return None
        return self.buttons[int(text)]

    async def act(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        self.activity.clear()  # news from here on answer this line
        button = await self.pressed(text)
        if button is not None:
            message_id, data = button
            query_id = await self.api.press_button(self.user_id, message_id, data)
            task = asyncio.create_task(self.show_toast(query_id))
            self._toasts.add(task)
            task.add_done_callback(self._toasts.discard)
        else:
            await self.api.send_message(self.user_id, text)

    async def show_toast(self, query_id: str) -> None:
        try:
            answer = await self.api.callback_answer(query_id, timeout=10)
        except TimeoutError:
            return
        self.activity.set()  # the press was answered, with or without a notice
        if answer.get("text"):
            self.write(f"  (aviso) {answer['text']}")

    async def wait_reply(self) -> None:
        """Let Minka answer the line (however busy the machine), then finish answering."""
        try:
            await asyncio.wait_for(self.activity.wait(), REPLY_SECONDS)
        except TimeoutError:
            return
        await self.wait_quiet()

    async def wait_quiet(self) -> None:
        """Let Minka finish answering before reading the next line."""
        while True:
            self.activity.clear()
            try:
                await asyncio.wait_for(self.activity.wait(), QUIET_SECONDS)
            except TimeoutError:
                return


def ctrl_c_stops() -> None:
    """The person at the demo's terminal leaves with Ctrl+C. A command that a shell without
    job control starts in the background (`cmd &`, `nohup`), and everything it starts, gets
    SIGINT ignored; Python then installs no handler for it, and asyncio.run, which only
    replaces Python's own, would never hear Ctrl+C: the demo ran on after it. Give SIGINT
    back its usual meaning."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def read_lines(source: TextIO) -> asyncio.Queue[str]:
    """Lines typed or piped, read by a daemon thread: a thread blocked in readline must not
    keep Ctrl+C from ending the demo at once (the executor's threads are waited for)."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in iter(source.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, "")  # end of input
        except RuntimeError:  # the demo has ended and its loop is closed
            return

    threading.Thread(target=pump, name="demo-input", daemon=True).start()
    return lines


async def chat_loop(chat: TerminalChat, interactive: bool, source: TextIO = sys.stdin) -> None:
    printer = asyncio.create_task(chat.show_events())
    lines = read_lines(source)
    try:
        await chat.wait_quiet()
        while True:
            if interactive:  # after Minka's reply (wait_reply), not before it
                chat.prompt()
            line = await lines.get()
            chat.prompting = False
            if line == "" or line.strip().lower() in ("salir", "exit", "quit"):
                break
            await chat.act(line)
            await chat.wait_reply()
        await chat.wait_quiet()
    finally:
        printer.cancel()


async def _typed_answer(runtime: Runtime) -> bool:
    from handlers.conversation import takes_typed_answer

    async with runtime.db.session() as session:
        return await takes_typed_answer(session, DEMO_USER_ID)


async def run_demo(settings: Settings, db_path: str | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="minka-demo-") as workdir:
        database = Path(db_path) if db_path else Path(workdir) / "minka-demo.sqlite3"
        async with LocalBotApi(token=DEMO_TOKEN, bot_username="minka_demo_bot") as api:
            demo_settings = Settings(
                telegram_bot_token=DEMO_TOKEN,
                telegram_api_base_url=api.base_url,
                database_url=f"sqlite+aiosqlite:///{database}",
                bot_admin_ids=settings.bot_admin_ids | {DEMO_USER_ID},
                bot_timezone=settings.bot_timezone,
                bot_locale=settings.bot_locale,
                _env_file=None,
            )
            api.add_user(DEMO_USER_ID, "Ana", last_name="Quispe", username="ana_demo")
            files_dir = Path.cwd() / "demo-data"
            files_dir.mkdir(exist_ok=True)
            # The demo's database is new every time: no need to warn about it.
            logging.getLogger("bot.startup").setLevel(logging.ERROR)
            async with minka(demo_settings, poll_timeout=5) as application:
                runtime: Runtime = application.bot_data["runtime"]
                chat = TerminalChat(
                    api, DEMO_USER_ID, sys.stdout, files_dir, lambda: _typed_answer(runtime)
                )
                chat.write(INTRO)
                await chat_loop(chat, interactive=sys.stdin.isatty())
    print("\nHasta pronto.")
    return 0
