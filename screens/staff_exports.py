"""Placeholder: being written."""
from screens.staff import StaffScreen


class StaffExportsScreen(StaffScreen):
    def select_latest(self) -> None:
        pass
