"""The files shipped with the kiosk — fonts and voice clips (assets/), its settings and the demo
site (config/) — found through importlib.resources wherever the kiosk is installed.

A relative path in the settings that starts with assets/ or config/ names one of these files;
any other relative path is relative to the working directory.  The kiosk is installed as files
on disk (a wheel, never a zip), so each is a real path that Kivy, the font reader and aplay can open.
"""

from importlib.resources import files
from pathlib import Path

PACKAGES = ("assets", "config")


def path(value: str | Path) -> Path:
    """The file a settings value names: absolute as given, shipped (assets/…, config/…), or
    relative to the working directory."""
    p = Path(value).expanduser()
    if p.is_absolute():
        return p
    if p.parts and p.parts[0] in PACKAGES:
        return Path(str(files(p.parts[0]).joinpath(*p.parts[1:])))
    return Path.cwd() / p


def default_settings() -> Path:
    """config/default.toml: every setting with its default."""
    return path("config/default.toml")
