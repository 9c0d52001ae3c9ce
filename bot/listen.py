"""Taking the port of an HTTP listener (the webhook's, METRICS_PORT's): a port another program
(or a Minka still stopping) holds, an address not of this machine or a port below 1024 end in
one Spanish line naming the variable and the fix, as every other start-up mistake, instead of
asyncio's traceback."""

from __future__ import annotations

import errno
import socket

from aiohttp import web

from bot.config import ConfigError


async def listen(runner: web.AppRunner, host: str, port: int, variable: str) -> None:
    """Start `runner` on `host:port`; `variable` is the setting that chose the port."""
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        if isinstance(error, socket.gaierror):  # not an address, nor a name that resolves
            raise ConfigError(
                f"HOST: «{host}» no es una dirección de este servidor ni un nombre conocido: "
                "corrija HOST (0.0.0.0: todas sus direcciones; 127.0.0.1: solo este servidor)."
            ) from None
        if error.errno == errno.EADDRINUSE:
            reason = "ya está en uso (otro programa, u otro Minka que no terminó)"
            fix = f"elija otro puerto en {variable} o detenga el programa que lo usa (ss -ltnp)"
        elif error.errno in (errno.EACCES, errno.EPERM):
            reason = "necesita privilegios (es menor que 1024)"
            fix = f"use un puerto de 1024 o más en {variable}"
        elif error.errno == errno.EADDRNOTAVAIL:
            reason = f"no se puede abrir: {host} no es una dirección de este servidor"
            fix = "corrija HOST (0.0.0.0: todas sus direcciones)"
        else:
            reason = f"no se puede abrir (error {error.errno} del sistema)"
            fix = f"revise HOST y {variable}"
        raise ConfigError(f"{variable}: el puerto {port} de {host} {reason}: {fix}.") from None
