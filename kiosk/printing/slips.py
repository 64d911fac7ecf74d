"""What a printed slip holds: plain data, filled in by the flow that prints it (an application in
an enrolment season, an enrolment after the draw) and laid out by the printer's driver."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SlipLine:
    """One course on the slip."""

    course: str  # 书法（一）班
    when: str  # 每周二 09:00–11:00, as the seniors' screens say it
    room: str  # 三楼书画室
    status: str  # 已报名（待摇号）, 已录取, 候补第 3 位


@dataclass(frozen=True)
class Slip:
    title: str  # 2027 春季报名回执
    site: str  # the center's name
    name: str  # the senior's name, in full: the slip is theirs (the screen masks it)
    member_no: str
    card: str  # the text of the member's QR card (its QR code is printed at the foot)
    lines: tuple[SlipLine, ...]
    note: str  # 摇号时间 …, 请凭本回执 …
    printed_at: datetime
