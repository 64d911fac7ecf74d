"""The festivals of the care work's visits: 元旦 (1 January), 春节 (the lunar new year) and 重阳 (the
ninth day of the ninth lunar month).  The lunar dates come from `lunardate` (pure Python, tables for
1900–2099, checked in tests/bureau/care/test_lists.py against published dates)."""

from dataclasses import dataclass
from datetime import date, timedelta

from lunardate import LunarDate

WINDOW = timedelta(days=30)  # a festival's list opens this long before the day


@dataclass(frozen=True)
class Festival:
    name: str  # 元旦, 春节, 重阳
    day: date

    @property
    def opens(self) -> date:
        """The first day of its visits' window (30 days before; the festival day is the last)."""
        return self.day - WINDOW


def of_year(year: int) -> list[Festival]:
    return [
        Festival("元旦", date(year, 1, 1)),
        Festival("春节", LunarDate(year, 1, 1).to_solar_date()),
        Festival("重阳", LunarDate(year, 9, 9).to_solar_date()),
    ]


def current(as_of: date) -> list[Festival]:
    """The festivals whose window holds `as_of` (元旦 and an early 春节 may overlap), earliest first."""
    found = [f for year in (as_of.year, as_of.year + 1) for f in of_year(year) if f.opens <= as_of <= f.day]
    return sorted(found, key=lambda f: f.day)
