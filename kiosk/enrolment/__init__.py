"""An enrolment season (报名季) at the kiosk (issue 23; docs/design.md §4.8).

The bureau publishes a season (season:<key>) with its courses and their age ranges; during it
(opens <= now < closes) a senior's card read offers 「报名选课」, and the senior applies for up to
`max_courses` of its courses, or withdraws, until it closes.  Each change is a row of `application`
and an `application` fact in one transaction.  After the draw the bureau publishes each member's
result (result:<season>:<member_no>), told once at the senior's next card read.

- seasons.py: the open season and its courses as cards for one senior;
- eligibility.py: who may apply for what (members only, the age on the term's first day from the
  ID card's birth date, held in memory only: never stored, logged or sent);
- applications.py: apply and withdraw, by the senior or by staff for them (代为报名: the staff's PIN
  and a reason, audited);
- results.py: the draw's result, told once.
"""
