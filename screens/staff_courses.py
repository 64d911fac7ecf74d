"""Placeholder: being written."""
from screens.staff import StaffScreen


class StaffCoursesScreen(StaffScreen):
    def select_latest(self) -> None:
        pass
