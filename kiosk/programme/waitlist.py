"""The waitlist of a course (选课) or an activity (活动报名): whether there is room, the order of the
queue, and who moves up when a place frees.

Called inside the IMMEDIATE write that changes the places, so two kiosks or two staff members
racing for the last place cannot both get it.  The queue is in order of `at` (when the senior
joined it), then id; rows from before `at` was kept (NULL) signed up earliest.
"""

from dataclasses import dataclass
from typing import Any

from kiosk.store.db import db
from kiosk.store.models import Enrollment, Member, Registration

WAITING = "waitlisted"


@dataclass(frozen=True)
class Waitlist:
    table: Any  # Enrollment or Registration: one row a senior and an item, with `status` and `at`
    item: str  # the row's course or activity field
    placed: str  # the status of a senior with a place

    @property
    def active(self) -> tuple[str, str]:
        """The statuses of a senior still in: with a place, or in the queue."""
        return (self.placed, WAITING)

    def has_room(self, item: Any) -> bool:
        if not item.capacity:
            return True
        taken = (
            self.table.select().where(getattr(self.table, self.item) == item, self.table.status == self.placed).count()
        )
        return taken < item.capacity

    def joining(self, item: Any) -> str:
        """The status of a senior joining now: a place while there is room, else the back of the queue."""
        return self.placed if self.has_room(item) else WAITING

    def next_up(self, item: Any) -> Any:
        """The row of the first in the queue when a place is free (the capacity may have been
        lowered since the others joined), with its member."""
        if not self.has_room(item):
            return None
        return (
            self.table.select(self.table, Member)
            .join(Member)
            .where(getattr(self.table, self.item) == item, self.table.status == WAITING)
            .order_by(self.table.at, self.table.id)
            .first()
        )

    def position(self, row: Any) -> int | None:
        """1-based place of `row` in the queue; None with a place or out."""
        if row.status != WAITING:
            return None
        sql = _POSITION.format(table=self.table._meta.table_name, item=f"{self.item}_id")
        return db.execute_sql(sql, (getattr(row, f"{self.item}_id"), row.at, row.id)).fetchone()[0]


COURSES = Waitlist(Enrollment, "course", "enrolled")
ACTIVITIES = Waitlist(Registration, "activity", "registered")

_POSITION = """
    SELECT count(*) FROM {table}
    WHERE {item} = ? AND status = 'waitlisted' AND (coalesce(at, ''), id) <= (coalesce(?, ''), ?)"""
