"""The management console: what bureau and center staff do in a browser (docs/console.md).

base.py signs each request in and scopes it (roles, sites, CSRF); bureau/audit.py records every
change; each other module is one area of the console with its own pages under /web, calling the
rules of bureau/programme.
"""

from importlib import import_module

from fastapi import APIRouter

# The console's areas, each a module of this package with a `router` of its own pages.
AREAS: tuple[str, ...] = (
    "activities",
    "classes",
    "members",
    "notices",
    "sites",
    "charts",
    "accounts",
    "audit_page",
    "publish",
    "imports",
    "care_member",
    "volunteers",
    "organisations",
    "care",
    "catalogue",
    "recognition",
    "enrolment",
)


def routers() -> list[APIRouter]:
    return [import_module(f"bureau.console.{area}").router for area in AREAS]
