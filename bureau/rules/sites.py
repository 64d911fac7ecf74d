"""Whose facts a kiosk may write: every fact is judged against the site of the kiosk that pushed
it (Event.site, from its key), never against a field of the payload (docs/sync-protocol.md §9.2).

A kiosk creates and changes only its own site's members, and numbers a new one with its site's
prefix; a member's site never moves.  For a member of another site (a visiting senior) it may
write a sign-in and the award for that sign-in, nothing else: a redemption, a correction, a
reissued card or staff-entered hours there are refused with the reason.
"""

from bureau import prefixes
from bureau.rules.fields import BadFact


class Refused(BadFact):
    """A fact the pushing kiosk may not write: dead-lettered with `code` and the reason (beside
    ingest's own wrong_site, which judges a payload's site field)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


WRONG_SITE = "wrong_site"


class Sites:
    """The sites' codes and prefixes, and the judgments that need them."""

    def __init__(self, rows: list[tuple[int, str, str | None]]):
        self.codes = {pk: code for pk, code, _ in rows}
        self.prefixes = {pk: prefix for pk, _, prefix in rows if prefix}

    def home_of(self, member_no: str, default: int) -> int:
        """The site whose prefix the number carries (prefixes never begin one another), else `default`."""
        return next((pk for pk, p in self.prefixes.items() if prefixes.carries(member_no, p)), default)

    def may_create(self, member_no: str, site: int) -> None:
        """A kiosk of `site` numbers a new member with its site's prefix."""
        home = self.home_of(member_no, site)
        if home != site:
            raise Refused(WRONG_SITE, f"member number {member_no} is one of site {self.codes[home]}")
        prefix = self.prefixes.get(site)
        if prefix and not prefixes.carries(member_no, prefix):
            raise Refused(WRONG_SITE, f"member number {member_no} does not start with this site's prefix {prefix}")

    def may_change(self, member_no: str, member_site: int, site: int, what: str) -> None:
        """A kiosk of `site` changes only its own site's members."""
        if member_site != site:
            theirs, ours = self.codes[member_site], self.codes[site]
            raise Refused(WRONG_SITE, f"{what} for member {member_no} of site {theirs}, not of this kiosk's {ours}")
