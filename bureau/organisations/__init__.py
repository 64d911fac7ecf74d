"""Organisations (docs/organisations.md): party branches (a 临时党支部 of a class too), volunteer teams
and clubs of a site or of the bureau; their rosters, the 换届 reminder, the kiosks' org:<key> items
and the 台账 of a year.  No FastAPI here: the pages are bureau/console/organisations.py.

    orgs.py       create, edit (换届), dissolve; kinds and roles
    rosters.py    join, leave, change a role; who was a member on a day (members_of)
    reminders.py  which organisations are due for 换届 (90 days ahead, or past)
    ledger.py     the 台账 of a year: meetings, attendance, roster, summary
    publish.py    the org:<key> item of the "items" stream
"""
