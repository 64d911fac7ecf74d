"""Release versions: numbers and dots (0.2.1), compared number by number, as tools/release.py
makes them; anything else is refused before it is compared."""

import re

_VERSION = re.compile(r"\d+(\.\d+)*")


def parse(version: str) -> tuple[int, ...]:
    """The numbers of `version`, trailing zeros dropped (1.2 == 1.2.0); ValueError when it is not one."""
    if not _VERSION.fullmatch(version):
        raise ValueError(f"not a release version: {version!r}")
    numbers = [int(part) for part in version.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def newer(version: str, than: str) -> bool:
    return parse(version) > parse(than)
