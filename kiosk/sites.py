"""The kiosk's own site: the row every member, term and staff account of this kiosk belongs to."""

from types import SimpleNamespace

from kiosk.store.db import write
from kiosk.store.models import Site


def ensure(settings: SimpleNamespace) -> Site:
    """The site of settings.site.code, created from the settings on a new kiosk without demo
    data (the bureau's pull fills in the rest later)."""
    site = Site.get_or_none(Site.code == settings.site.code)
    if site is None:
        with write():
            site = Site.create(code=settings.site.code, name=settings.site.name)
    return site
