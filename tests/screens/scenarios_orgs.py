"""The seniors' side of branches and volunteer teams in the real app (tests/screens/test_orgs.py):
近期活动 puts the next activity of the senior's own branch and team first, marked, in normal and
大字 type; 我的积分 shows a volunteer entry's service and hours and the year's hours beside the
balance.  Demo data: DM0001 and DM0004 are in the branch and the team (config/demo/site.toml)."""

from kiosk.store.db import write
from tests.screens.scenarios_service import identified, open_from_home, scan_member, texts, visible


def _rows(screen) -> list[dict]:
    from kivy.core.window import Window

    out = []
    for row in screen.rows:
        if not (row.ids.title.text and visible(row) and row.height > 0):
            continue
        title = row.ids.title
        x, y = title.to_window(*title.pos)
        out.append(
            {
                "title": title.text,
                "when": row.ids.when.text,
                # The text as drawn fits its box, and the box is on the screen.
                "fits": title.texture_size[0] <= title.width + 1 and y >= 0 and x + title.width <= Window.width,
                "line_fits": _unshortened(title),
            }
        )
    return out


def _unshortened(label) -> bool:
    """Whether the label's whole text fits its width at its size (not cut with …)."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=label.text, font_size=label.font_size, font_name=label.font_name, bold=label.bold)
    core.refresh()
    return core.content_width <= label.width


def _large(member_no: str) -> None:
    from kiosk.store.models import Member

    with write():
        Member.update(large_text=True).where(Member.member_no == member_no).execute()


def org_activities(app, settings, obs):
    """DM0001 on 近期活动 and 我的积分 in normal type; then DM0004 in 大字 on both."""
    activities, points = app.services["activities"], app.services["points"]

    def scan(member_no: str, screen):
        def step():
            scan_member(app, member_no)
            return identified(app, screen.name)

        return step

    def look(key: str, screen):
        def step():
            obs[key] = {"rows": _rows(screen), "scale": app.theme.scale, "pages": screen.pages}

        return step

    def look_points(key: str):
        def step():
            hours, balance = points.ids.hours, points.ids.balance
            obs[key] = {
                "hours": hours.text if visible(hours) else "",
                "hours_right": hours.to_window(hours.right, 0)[0],
                "balance_text_right": balance.to_window(balance.x, 0)[0] + balance.texture_size[0],
                "hours_left": hours.to_window(hours.x, 0)[0],
                "rows": [[r.ids.what.text, r.ids.amount.text] for r in points.rows if r.ids.what.text],
                "scale": app.theme.scale,
                "texts": texts(points),
            }

        return step

    def make_large():
        _large("DM0004")

    def laid_out():
        """A frame for the layout to follow the senior's type size."""

    return [
        *open_from_home(app, "activities"),
        scan("DM0001", activities),
        laid_out,
        look("dm0001_activities", activities),
        *open_from_home(app, "points"),
        scan("DM0001", points),
        laid_out,
        look_points("dm0001_points"),
        make_large,
        *open_from_home(app, "activities"),
        scan("DM0004", activities),
        laid_out,
        look("dm0004_activities", activities),
        *open_from_home(app, "points"),
        scan("DM0004", points),
        laid_out,
        look_points("dm0004_points"),
    ]


SCENARIOS = [org_activities]
