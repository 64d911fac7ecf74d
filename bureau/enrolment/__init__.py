"""Enrolment seasons (报名季) and the public draw (摇号) at the bureau (docs/enrolment.md):
seasons.py (a season, its courses, ages), applications.py (the desk's applications and the season
page's figures), lottery.py (the draw, pure), results.py (the list fixed, the draw filed and
verified through the store).  The kiosks' application facts are filed by bureau/rules/applications.py."""
