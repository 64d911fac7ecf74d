"""A staff action refused by a rule, with the message that says why."""

from kiosk.i18n import t


class Refused(Exception):
    """Raised before anything is written (or inside the write, rolling it back).  `key` names the
    message in the catalog; `values` fill it in."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self) -> str:
        return t(self.key, **self.values)

    def __str__(self) -> str:
        return self.message()
