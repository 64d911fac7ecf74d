"""Placeholder: being written."""
from screens.staff import StaffScreen


class StaffNewcomersScreen(StaffScreen):
    def select_latest(self) -> None:
        pass
