"""Where the updater finds everything on a kiosk box (the lead's layout), under one root: "/" on a
box, a scratch folder in the tests (env YINLING_ROOT)."""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def opt(self) -> Path:
        return self.root / "opt/yinling"

    @property
    def releases(self) -> Path:
        return self.opt / "releases"

    @property
    def current(self) -> Path:
        return self.opt / "current"

    @property
    def previous(self) -> Path:
        return self.opt / "previous"

    @property
    def lock(self) -> Path:
        return self.opt / "update.lock"

    @property
    def data(self) -> Path:
        return self.root / "var/lib/yinling"

    @property
    def database(self) -> Path:
        return self.data / "kiosk.db"

    @property
    def updates(self) -> Path:
        return self.data / "updates"

    @property
    def incoming(self) -> Path:
        """Bundles to install (a USB stick's, the bureau's): the yinling-update.path unit watches it."""
        return self.updates / "incoming"

    @property
    def confirmed(self) -> Path:
        """Where the kiosk (user yinling) marks a version healthy: one empty file a version."""
        return self.updates / "confirmed"

    @property
    def backups(self) -> Path:
        """kiosk.db as it was before each update: what a rollback restores (root only)."""
        return self.updates / "backups"

    @property
    def state(self) -> Path:
        return self.updates / "state.json"

    @property
    def keys(self) -> Path:
        return self.root / "usr/share/yinling/keys"


def from_env() -> Paths:
    return Paths(Path(os.environ.get("YINLING_ROOT", "/")))
