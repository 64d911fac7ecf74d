"""Recognition at term end (docs/recognition.md): who qualifies for 全勤 and 结业 in each course of a
term, the 优秀学员 candidates of a site's term (rules.py), and the certificates as a printable PDF
(certificates.py).  No FastAPI here: the pages are bureau/console/recognition.py."""
