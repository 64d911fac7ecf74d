"""What staff pages say about the kiosk's core results: fuller than a senior's screen, since
staff must know why (a revoked card, a bad check character …)."""

from kiosk.checkin.signin import Result
from kiosk.i18n import t


def staff_card_problem(result: Result) -> str:
    """Why a card read in staff mode names no member."""
    detail = t(result.detail) if result.detail.startswith("card.") else result.detail
    return t("staff.card", word=t(f"result.{result.kind}"), detail=detail)
