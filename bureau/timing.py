"""Server-Timing on the console's responses: `Server-Timing: app;dur=<ms>`, the time from the
request's arrival at the app to its response's headers.  Browsers' developer tools show it beside
the network time, so staff reporting a slow page and the benchmark (bench/console.py) both see how
much of it the bureau itself spent."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/web"


class ServerTiming:
    """ASGI middleware: adds the header to every HTTP response under PREFIX (kiosks' /v1 replies
    are left as they are: nobody reads it there, and a push's path skips middleware anyway)."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX) -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", []), (b"server-timing", f"app;dur={ms:.1f}".encode())]
            await send(message)

        await self.app(scope, receive, timed)
