"""serve [--host 127.0.0.1] [--port 8800] [--workers 1] [--forwarded-allow-ips 127.0.0.1]: the
HTTP service kiosks sync with, and the staff's web page at /web.

Behind a reverse proxy on this host (packaging/bureau/nginx-yinling-bureau.conf) every request
comes from 127.0.0.1; the proxy's X-Forwarded-For and X-Forwarded-Proto are believed from the
addresses --forwarded-allow-ips lists, and from no other, so the login throttle (bureau/web.py)
counts each real client and the session cookie is marked Secure over https."""

import argparse
import multiprocessing
import os

from bureau import rules
from bureau.store import is_sqlite


def add(commands, db_option: argparse.ArgumentParser) -> None:
    p = commands.add_parser("serve", parents=[db_option], help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8800)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        metavar="ADDRESSES",
        help="comma-separated addresses of the proxies whose X-Forwarded-For/-Proto are believed",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; the store is migrated and closed (bureau.cli.main)."""
    import uvicorn

    # Each worker process builds its app from this variable (uvicorn's factory takes no arguments).
    os.environ["BUREAU_DB"] = args.db
    # On PostgreSQL one rules process serves all HTTP workers (bureau.rules.follow), so the rules
    # never hold the GIL a push needs; on SQLite they run in the app (see bureau.app).  A pull of
    # members or balances still applies what is pending first: a kiosk sees its own pushes at once.
    applier = (
        None
        if is_sqlite()
        else multiprocessing.get_context("spawn").Process(
            target=rules.follow, args=(args.db, os.getpid()), name="bureau-rules", daemon=True
        )
    )
    if applier:
        applier.start()
    try:
        uvicorn.run(
            "bureau.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips,
        )
    finally:
        if applier:
            applier.terminate()
            applier.join(10)
    return 0
