"""What survives a power cut at any step: the updater's state file (written to a new file, fsynced,
renamed over the old one, the folder fsynced) and the current/previous symlinks (a new link renamed
over the old one: rename(2) is atomic, so a link always points at one whole release)."""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """One updater at a time (the .path unit's install, the kiosk unit's boot-check, an operator)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def load(path: Path) -> dict[str, Any]:
    """The state file's content; {} when there is none yet (a box never updated)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def save(path: Path, state: dict[str, Any]) -> None:
    write_atomically(path, (json.dumps(state, indent=2, sort_keys=True) + "\n").encode())


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, path)
    sync_folder(path.parent)


def point(link: Path, release: Path | None) -> None:
    """Make `link` point at folder `release` (relative, releases/<v>) or, for None, be gone."""
    if release is None:
        link.unlink(missing_ok=True)
    else:
        part = link.with_name(link.name + ".new")
        part.unlink(missing_ok=True)
        part.symlink_to(os.path.relpath(release, link.parent))
        os.replace(part, link)
    sync_folder(link.parent)


def pointed(link: Path) -> str | None:
    """The version `link` points at (its target's folder name); None when there is no link."""
    try:
        return Path(os.readlink(link)).name
    except FileNotFoundError:
        return None


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
