"""Message catalog: every user-visible string comes from kiosk/messages/<language>.toml."""

import tomllib
from importlib.resources import files

_DIR = files("kiosk").joinpath("messages")
_catalog: dict[str, str] = {}


def load(language: str = "zh_CN") -> None:
    with _DIR.joinpath(f"{language}.toml").open("rb") as f:
        _catalog.clear()
        _catalog.update(_flatten(tomllib.load(f)))


def languages() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in _DIR.iterdir() if p.name.endswith(".toml"))


def t(key: str, /, **values) -> str:
    """The message for `key` with `values` filled in; the key itself if it is missing.

    `key` is positional-only so that a message may itself have a {key} placeholder (config.*).
    """
    if not _catalog:
        load()
    text = _catalog.get(key, key)
    return text.format(**values) if values else text


def label(key: str, otherwise: str) -> str:
    """The message for `key`, or `otherwise` when the catalog has none (a code from outside,
    such as a refusal code from the bureau, shown as it is)."""
    text = t(key)
    return otherwise if text == key else text


def _flatten(d: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out
