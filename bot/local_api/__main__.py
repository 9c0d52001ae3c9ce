"""Run the local Bot API server standalone: ``python -m bot.local_api --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.local_api import LocalBotApi


async def _serve(args: argparse.Namespace) -> None:
    async with LocalBotApi(
        args.token, bot_username=args.username, host=args.host, port=args.port
    ) as api:
        print(f"Local Bot API listening; base_url={api.base_url} token={api.token}", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456789:TEST-TOKEN")
    parser.add_argument("--username", default="minka_test_bot")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
