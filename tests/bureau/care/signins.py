"""A sign-in as the bureau's rules file one (an Attendance row), for the care tests."""

import uuid
from datetime import datetime

from bureau.models import Attendance


def signin(member_no: str, kiosk, at: datetime) -> None:
    """`member_no` signed in at `kiosk` at `at`, to a lesson starting then."""
    Attendance.create(
        event_id=str(uuid.uuid4()),
        member_no=member_no,
        site=kiosk.site,
        kiosk=kiosk,
        kind="lesson",
        title="太极拳",
        start=at,
        at=at,
        business_day=at.date(),
        method="qr",
    )
