"""志愿服务 and the 银发人才库 (docs/volunteers.md): members' skills by domain (skills.py), the needs a
centre posts and dispatches to volunteers who take them (needs.py), and the hours of service the
bureau keeps, with its reports (hours.py).  No FastAPI here: the pages are bureau/console/volunteers.py."""


class VolunteerError(Exception):
    """A change the rules refuse; the message is for the staff member (Chinese)."""
