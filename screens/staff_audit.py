"""Placeholder: being written."""
from screens.staff import StaffScreen


class StaffAuditScreen(StaffScreen):
    def select_latest(self) -> None:
        pass
