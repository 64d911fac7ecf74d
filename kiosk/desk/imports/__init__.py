"""Rosters and course lists from the spreadsheets centers keep: .xlsx, or .csv as Excel saves it
(UTF-8 with or without a BOM, or GB18030 on Chinese Windows).

All or nothing.  Every row is checked first and every problem is reported with its row and column,
so staff fix the whole file in one go; a file with any problem writes nothing.  A clean file goes
in with ONE write(): its rows by insert_many (a 3,000-member roster in a few seconds, docs/design.md §10), a
fact for each member, enrolment and course, and one audit entry naming the file and its SHA-256.
Importing the same file again changes nothing: known members are matched by member number, ID
number, or name and phone, and their enrolments are not doubled.  A roster with ID numbers after a
class list without them finds the class list's members by name.  What real rosters bring (numbers
a spreadsheet cut, totals rows, hidden rows, one sheet a class …) is handled or refused row by row:
docs/design.md §4.9.  A name read from an ID card changes only when the import is told to.

sheet.py reads a file, members.py imports a roster, courses.py a course list.
"""

from kiosk.desk.imports.courses import import_courses
from kiosk.desk.imports.members import import_members
from kiosk.desk.imports.sheet import ImportReport, RowError

__all__ = ["ImportReport", "RowError", "import_courses", "import_members"]
