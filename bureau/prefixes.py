"""Member-number prefixes: the bureau issues each site one, so member numbers never collide across
sites (docs/sync-protocol.md §9.2).

A site's prefix is 1-4 capital letters, and no site's prefix begins another's: a member number
then names one site at most.  Each kiosk of a site numbers its newcomers with a prefix of its
own, the site's followed by a letter or two (the first kiosk takes the site's as it is), so two
kiosks of one site never collide either.  "DM", the demo site's, is issued only when asked for.
"""

import re
from collections.abc import Iterable
from itertools import product
from string import ascii_uppercase

SITE_PREFIX = re.compile(r"[A-Z]{1,4}")
DEMO = "DM"  # config/default.toml staff.member_prefix: the demo kiosk's numbers


def clash(prefix: str, taken: Iterable[str]) -> str | None:
    """A prefix taken already that `prefix` begins, or that begins it (None: it is free)."""
    return next((t for t in taken if t.startswith(prefix) or prefix.startswith(t)), None)


def next_free(taken: Iterable[str]) -> str:
    """The first two-letter prefix (AA, AB …) that clashes with none taken, never the demo's."""
    held = list(taken)
    for letters in product(ascii_uppercase, repeat=2):
        prefix = "".join(letters)
        if prefix != DEMO and clash(prefix, held) is None:
            return prefix
    raise ValueError("every two-letter prefix is taken")


def of_kiosk(site_prefix: str, number: int) -> str:
    """The prefix kiosk number `number` (1, 2 … as in <SITE>-K01) numbers its newcomers with."""
    suffix, n = "", number - 1
    while n > 0:  # 2 → B … 26 → Z, 27 → BA: letters only, so the digits after it stay the number
        n, digit = divmod(n, 26)
        suffix = ascii_uppercase[digit] + suffix
    return site_prefix + suffix


def carries(member_no: str, site_prefix: str) -> bool:
    """Whether the member number is one a kiosk of the site with `site_prefix` gives out."""
    return re.fullmatch(re.escape(site_prefix) + r"[A-Z]{0,3}[0-9]+", member_no) is not None
