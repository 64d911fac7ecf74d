"""A slip as the enrolment flow fills one in, for the printing and printer tests."""

from datetime import datetime

from kiosk.printing.slips import Slip, SlipLine

CARD = "YL1.DM0002.1.5f0c2a9e41b7"


def slip(name: str = "王建华", lines: int = 2) -> Slip:
    courses = (
        SlipLine("书法（一）班", "每周二 09:00–11:00", "三楼书画室", "已报名（待摇号）"),
        SlipLine("太极拳初级班", "每周四 08:30–10:00", "一楼大厅", "候补第 3 位"),
    )
    return Slip(
        title="2027 春季报名回执",
        site="示范区老干部活动中心",
        name=name,
        member_no="DM0002",
        card=CARD,
        lines=courses[:lines],
        note="摇号时间 3月10日 10:00，结果在签到机上查看。",
        printed_at=datetime(2027, 3, 1, 9, 30),
    )
