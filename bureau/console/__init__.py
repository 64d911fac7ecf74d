"""The management console: what bureau and center staff do in a browser (docs/console.md).

base.py signs each request in and scopes it (roles, sites, CSRF); audit.py records every change;
each other module is one area of the console with its own pages under /web.
"""

from importlib import import_module

from fastapi import APIRouter

# The console's areas, each a module of this package with a `router` of its own pages.
AREAS: tuple[str, ...] = ("classes", "imports", "members", "notices")


def routers() -> list[APIRouter]:
    return [import_module(f"bureau.console.{area}").router for area in AREAS]
