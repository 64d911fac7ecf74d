"""A request refused as a whole: its HTTP status and the JSON reply's fields."""


class Refusal(Exception):
    """Raise inside a transaction to roll it back and answer `status` {"error": error, **fields}."""

    def __init__(self, status: int, error: str, **fields):
        super().__init__(f"{status} {error}")
        self.status = status
        self.reply = {"error": error, **fields}


def malformed(detail: str) -> Refusal:
    return Refusal(400, "malformed", detail=detail)
