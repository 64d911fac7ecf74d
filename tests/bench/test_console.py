"""The console's benchmark, small: tiny data on the real server (PostgreSQL, uvicorn), every page of
the menu timed or reported missing, and an activity saved at the bureau reaching a real kiosk's
database through the kiosk's own sync loop."""

from bench import console, console_data
from bureau.console.base import NAV

SMALL = console_data.Size(
    members=120,
    signins=1_500,
    years=1,
    sites=3,
    courses_per_term=2,
    activities_per_site_year=3,
    notices_per_site_year=1,
    audit=20,
)


def test_every_page_is_timed_or_missing_and_a_save_reaches_the_kiosk(capsys):
    pages, saved, figures = console.measure(
        SMALL, repeat=2, warmups=0, saves=1, pull_every_s=10, use_cache=False, save_rounds=0
    )

    by_account: dict[str, set[str]] = {}
    for t in pages:
        by_account.setdefault(t.account, set()).add(t.path)
        assert t.status in (200, 404), (t.path, t.account, t.status)
        if t.status == 200:  # timed: the Server-Timing header on every repeat
            assert len(t.server_ms) == len(t.wall_ms) == 2
            assert all(0 < ms for ms in t.server_ms)
    staff = next(t.account for t in pages if t.account.startswith("staff-"))
    for role, account in (("admin", "admin"), ("viewer", "viewer"), ("staff", staff)):
        assert {path for path, _, roles in NAV if role in roles} <= by_account[account]
    assert "/web/accounts" not in by_account["viewer"]  # the menu's roles are followed
    assert any(t.status == 200 and t.path == "/web/" for t in pages)

    assert saved is not None and len(saved.seconds) == 1
    assert 0 < saved.seconds[0] < 10 + 15  # the pull interval, then one sync cycle
    assert saved.cycles_s  # the kiosk's cycles were reported

    out = capsys.readouterr().out
    assert "console-bench {" in out
    assert figures[-1].name == "console save → visible on a kiosk" and figures[-1].ok
