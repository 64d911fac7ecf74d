"""The pure part of importing the spreadsheets centers keep, shared by the kiosk's importer
(kiosk/desk/imports) and the bureau's console (bureau/programme/imports.py): reading an .xlsx or
.csv file, finding its header under any of the usual Chinese names of each column, and checking
each row on its own (required fields, formats, weekly times).  Nothing here touches a database.

Problems are codes with values (Problem: "imports.required", {"value": …}), never text: the kiosk
renders them through its message catalog, the bureau through its own table of messages.

sheet.py reads a file, slots.py reads weekly times, courses.py checks a course list's row,
members.py names a roster's columns.
"""
