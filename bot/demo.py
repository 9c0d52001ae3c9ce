"""`python -m bot demo`: Minka against the local Bot API server, chatted with in the terminal.

No token and no internet: the server runs in this process, the bot long-polls it like it would
Telegram, and the person types messages or presses inline buttons by their number.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.local_api import BotEvent, LocalBotApi
from bot.runner import minka

DEMO_TOKEN = "100000001:DEMOdemoDEMOdemoDEMOdemoDEMOdemo123"
DEMO_USER_ID = 1000001
QUIET_SECONDS = 0.8  # with piped input, wait this long without news before the next line

INTRO = """\
Minka — demostración local (sin internet ni token de Telegram)
Usted es «Ana Quispe», funcionaria de prueba, con rol de administradora para probarlo todo.
Escriba mensajes o comandos (/start, /menu, /perfil, /ayuda...).
Para pulsar un botón, escriba su número. Para salir: «salir» o Ctrl+D.
"""


class TerminalChat:
    """Prints what Minka does in the chat and turns typed lines into messages or presses."""

    def __init__(self, api: LocalBotApi, user_id: int, out: TextIO, files_dir: Path) -> None:
        self.api = api
        self.user_id = user_id
        self.out = out
        self.files_dir = files_dir
        self.buttons: dict[int, tuple[int, str]] = {}  # number -> (message id, callback data)
        self.activity = asyncio.Event()
        self._toasts: set[asyncio.Task[None]] = set()

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def show_events(self) -> None:
        while True:
            try:
                event = await self.api.next_event(self.user_id, timeout=3600)
            except TimeoutError:
                continue
            self.activity.set()
            self.render(event)

    def render(self, event: BotEvent) -> None:
        if event.method == "sendChatAction":
            return
        if event.method == "deleteMessage":
            self.write("  (Minka borró un mensaje)")
            return
        if event.method in ("sendDocument", "sendPhoto"):
            self.write(f"\nMinka envió un archivo: {self.save_file(event)}")
            if event.text:
                self.write(f"  {event.text}")
            return
        heading = "Minka (editó su mensaje):" if event.method.startswith("edit") else "Minka:"
        body = event.text or ""
        self.write(f"\n{heading}\n" + "\n".join(f"  {line}" for line in body.splitlines()))
        self.number_buttons(event)

    def number_buttons(self, event: BotEvent) -> None:
        rows = event.buttons
        if not rows:
            return
        self.buttons.clear()
        number = 0
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
                self.write("    " + "   ".join(labels))

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

    async def act(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if text.isdigit() and int(text) in self.buttons:
            message_id, data = self.buttons[int(text)]
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
        if answer.get("text"):
            self.write(f"  (aviso) {answer['text']}")

    async def wait_quiet(self) -> None:
        """Let Minka finish answering before reading the next piped line."""
        while True:
            self.activity.clear()
            try:
                await asyncio.wait_for(self.activity.wait(), QUIET_SECONDS)
            except TimeoutError:
                return


async def _read_line() -> str:
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def chat_loop(chat: TerminalChat, interactive: bool) -> None:
    printer = asyncio.create_task(chat.show_events())
    try:
        while True:
            if interactive:
                chat.out.write("> ")
                chat.out.flush()
            line = await _read_line()
            if line == "" or line.strip().lower() in ("salir", "exit", "quit"):
                break
            await chat.act(line)
            if not interactive:
                await chat.wait_quiet()
        await chat.wait_quiet()
    finally:
        printer.cancel()


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
            async with minka(demo_settings, poll_timeout=5):
                chat = TerminalChat(api, DEMO_USER_ID, sys.stdout, files_dir)
                chat.write(INTRO)
                await chat_loop(chat, interactive=sys.stdin.isatty())
    print("\nHasta pronto.")
    return 0
