"""Who may apply for which course of a season (docs/design.md §4.8).

- members_only: the senior's own site must be this kiosk's;
- an age range: the senior's age on the first day of the course's term, from the birth date of
  the ID card read just now, must be within it (both bounds included).  A QR card carries no birth
  date: the senior is asked for the ID card.  The birth date is only ever in memory (the
  `Applicant` of this visit; its repr hides it); what is kept and sent is that the age was checked.
"""

from dataclasses import dataclass, field
from datetime import date

from kiosk.identity.credentials import Credential


@dataclass(frozen=True)
class Applicant:
    """The senior at the kiosk now: their member number and, when the card read was an ID card,
    its birth date, kept in memory for this visit only (never stored, logged or sent: §9.1)."""

    member_no: str
    birth_date: date | None = field(default=None, repr=False)

    @classmethod
    def of(cls, member_no: str, cred: Credential | None) -> "Applicant":
        birth = cred.birth_date if cred is not None and cred.method == "idcard" else None
        return cls(member_no, birth)


# Why a senior may not apply (the catalog's season.refusal.<key>), "" when they may.
MEMBERS_ONLY = "members_only"
TOO_YOUNG = "too_young"
TOO_OLD = "too_old"
NEEDS_ID_CARD = "needs_id_card"


def age_on(birth: date, day: date) -> int:
    """Completed years on `day`: the birthday that year reached or not.  Born on 29 February, the
    birthday of a common year is 1 March (it is not reached on 28 February)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_refusal(age_min: int | None, age_max: int | None, birth: date | None, first_day: date) -> str:
    """Whether the age range lets the senior in: "" (no range, or within it), or why not."""
    if age_min is None and age_max is None:
        return ""
    if birth is None:
        return NEEDS_ID_CARD
    age = age_on(birth, first_day)
    if age_min is not None and age < age_min:
        return TOO_YOUNG
    if age_max is not None and age > age_max:
        return TOO_OLD
    return ""


def older(older_first: int | None, birth: date | None, first_day: date) -> bool:
    """Whether the senior is in the season's older-first group: at least `older_first` years old on
    the term's first day by the ID card read just now (a QR card: False, they are asked for it)."""
    return older_first is not None and birth is not None and age_on(birth, first_day) >= older_first


def refusal(
    *,
    members_only: bool,
    member_site: str,
    here_site: str,
    age_min: int | None,
    age_max: int | None,
    birth: date | None,
    first_day: date,
) -> str:
    """Why the senior may not apply for the course, or ""."""
    if members_only and member_site != here_site:
        return MEMBERS_ONLY
    return age_refusal(age_min, age_max, birth, first_day)
