"""Screenshots of the bureau staff's web page, in headless Chromium (Debian's, never a download).

    python -m tools.bureau_screenshots [OUT]     a demo bureau, served on loopback, shot into OUT
                                           (default docs/screenshots): bureau_<page>.png

shoot() is what the tests call on their own server; main() makes a demo bureau of its own in a
temporary folder: two sites, three kiosks, a read-only user and a centre's staff, facts pushed
through the real service, as kiosks send them, which the bureau's rules turn into the figures, and
a year of care visits, branches and volunteer needs made by `yinling-bureau demo` (bureau/demo.py).
The issue-22 pages (STAFF_PAGES) are shot as the centre's staff: a read-only account sees no
person's situation.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
from uuid6 import uuid7

from contract import signing
from tools.checkout import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGES = {
    "login": "/web/login",
    "overview": "/web/",
    "attendance": "/web/attendance",
    "care_sites": "/web/care",  # every site: how many each list holds (a site's list: tests/…/test_care.py)
    "kiosks": "/web/kiosks",
    "points": "/web/points",
}
# As DEMO-003's staff (STAFF), after the demo: {name: path}, "{org}", "{need}" and "{member}" filled in
# with the demo's party branch, a need done and a member with a care record whose contact STAFF is.
STAFF_PAGES = {
    "care": "/web/care?list=absent",
    "care_member": "/web/care/member/{member}",
    "care_mine": "/web/care/mine",
    "care_sheet": "/web/care/sheet?list=alone",
    "organisations": "/web/organisations",
    "organisation": "/web/organisations/{org}",
    "organisation_ledger": "/web/organisations/{org}/ledger",
    "volunteers": "/web/volunteers",
    "volunteer_needs": "/web/volunteers?tab=needs",
    "need": "/web/volunteers/needs/{need}",
    "volunteer_hours": "/web/volunteers?tab=hours",
    "staff_overview": "/web/",
}
VIEWPORT = {"width": 1280, "height": 900}


@contextmanager
def browser():
    """A headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def sign_in(page, url: str, username: str, password: str) -> None:
    """Fill in and send the login form, as a member of staff does."""
    page.goto(url + PAGES["login"])
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def shoot(
    url: str, username: str, password: str, out: Path, chromium=None, pages: dict[str, str] = PAGES
) -> list[Path]:
    """bureau_<page>.png of every page of `pages` (the login page first) of the bureau at `url`,
    signed in as `username` (in the browser `chromium` when given, else in one started for this)."""
    if chromium is None:
        with browser() as chromium:
            return shoot(url, username, password, out, chromium, pages)
    out.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport=VIEWPORT, locale="zh-CN")
    try:
        page.goto(url + PAGES["login"])
        shots = [shot(page, out, "login")] if "login" in pages else []
        sign_in(page, url, username, password)
        for name, path in pages.items():
            if name != "login":
                page.goto(url + path)
                shots.append(shot(page, out, name))
        return shots
    finally:
        page.close()


def shots_dir(default: Path) -> Path:
    """Where a test keeps the console's screenshots: $BUREAU_SHOTS (docs/screenshots, to refresh
    them), else `default` (the test's own folder)."""
    out = Path(os.environ.get("BUREAU_SHOTS") or default)
    out.mkdir(parents=True, exist_ok=True)
    return out


def shot(page, out: Path, name: str) -> Path:
    page.wait_for_load_state("networkidle")  # the served CJK font too, when the page needed it
    page.evaluate("document.fonts.ready")
    path = out / f"bureau_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- the demo bureau -------------------------------------------------------------------------------------

USER, PASSWORD = "zhangli", "demo-password-2026"
STAFF = "wangfang"  # DEMO-003's staff, the contact person of some of the demo's members
SITES = {"DEMO-001": "示范区老干部活动中心", "DEMO-002": "东城街道长者服务站", "DEMO-003": "西城社区养老服务驿站"}
# DEMO-003 has no kiosk of its own and no member: the demo gives it its 60 fictional members, and
# a year of data the issue-22 pages are shot on (STAFF's site).
STAFF_SITE = "DEMO-003"
NAMES = ["王建华", "李秀英", "张志强", "刘桂兰", "陈国栋", "杨淑珍", "赵德明", "黄美玲", "周文斌", "吴玉梅"]
LESSONS = [("太极拳", 9), ("书法", 14), ("合唱团", 10)]
# The release each demo kiosk runs (its pushes' client_version): two updated, one not yet.
VERSIONS = ["0.2.0", "0.2.0", "0.1.0"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bureau_screenshots", description="the bureau's web pages of a demo bureau, as PNG files"
    )
    parser.add_argument(
        "out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots", help="the folder (default docs/screenshots)"
    )
    out = parser.parse_args(argv).out
    with tempfile.TemporaryDirectory(prefix="bureau-demo-") as folder:
        store = str(Path(folder) / "bureau.db")
        keys = _setup(store)
        with _served(store, Path(folder)) as url:
            pushed = []
            for (kiosk_id, key), version in zip(keys.items(), VERSIONS):
                pushed += _push(url, kiosk_id, key, _demo_facts(kiosk_id), version)
            _wait_for_rules(store, pushed)
            print(_bureau(store, "demo"), end="")  # while it serves, as an operator would run it
            for path in shoot(url, USER, PASSWORD, out):
                print(path)
            for path in shoot(url, STAFF, PASSWORD, out, pages=_staff_pages(store)):
                print(path)
    return 0


def _bureau(store: str, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bureau", "--db", store, *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(f"python -m bureau {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _setup(store: str) -> dict[str, str]:
    """Sites, kiosks and the staff user, made with the operator's commands; the kiosks' keys."""
    keys = {}
    for code, name in SITES.items():
        _bureau(store, "site", "add", code, name)
        for _ in range({"DEMO-001": 2, STAFF_SITE: 0}.get(code, 1)):
            settings = _bureau(store, "kiosk", "add", "--site", code)
            kiosk_id = settings.split('id = "')[1].split('"')[0]
            keys[kiosk_id] = settings.split('key = "')[1].split('"')[0]
    _bureau(store, "user", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
    staff = ["--role", "staff", "--site", STAFF_SITE, "--name", "王芳"]
    _bureau(store, "user", "add", STAFF, *staff, "--password-stdin", stdin=PASSWORD + "\n")
    today = date.today()
    term = ["--term-name", f"{today.year} 秋季", "--term-start", str(today - timedelta(days=90))]
    term += ["--term-end", str(today + timedelta(days=40)), "--weekly", "2 09:00-11:00", "--room", "二楼书画室"]
    _bureau(store, "course", "publish", "--site", STAFF_SITE, "--title", "书法", *term)  # its 临时党支部's
    return keys


def _demo_facts(kiosk_id: str) -> list[tuple[str, dict]]:
    """Members registered at the kiosk's site, their sign-ins of the last weeks, a device."""
    site = kiosk_id.rsplit("-K", 1)[0]
    number = int(kiosk_id.rsplit("-K", 1)[1])
    prefix = f"{'DM' if site == 'DEMO-001' else 'DC'}{number}"
    today = date.today()
    facts = []
    for i, name in enumerate(NAMES[: 8 if number == 1 else 4]):
        member_no = f"{prefix}{i + 1:03d}"
        facts.append(
            (
                "member",
                {
                    "member_no": member_no,
                    "name": name,
                    "gender": "女" if i % 2 else "男",
                    "id_hash": f"{kiosk_id}-{i}".encode().hex(),
                    "phone_last4": f"{3300 + i * 7}",
                    "site": site,
                    "joined": (today - timedelta(days=120)).isoformat(),
                    "active": True,
                    "at": datetime.now().isoformat(timespec="seconds"),
                },
            )
        )
        for days_ago in range(0, 40 if i < 5 else 0, 3 + i):
            title, hour = LESSONS[(i + days_ago) % len(LESSONS)]
            start = datetime.combine(today - timedelta(days=days_ago), datetime.min.time()).replace(hour=hour)
            facts.append(
                (
                    "signin",
                    {
                        "member_no": member_no,
                        "kind": "lesson",
                        "item_id": 1,
                        "title": title,
                        "start": start.isoformat(),
                        "at": (start - timedelta(minutes=5)).isoformat(),
                        "method": "qr" if days_ago % 2 else "idcard",
                        "kiosk_id": kiosk_id,
                        "site": site,
                    },
                )
            )
    if number == 2:  # a gift handed out before the points were earned
        facts.append(
            (
                "points",
                {
                    "member_no": f"{prefix}001",
                    "amount": -30,
                    "kind": "redeem",
                    "rule": "redeem",
                    "reason": "兑换保温杯",
                    "at": datetime.now().isoformat(timespec="seconds"),
                    "kiosk_id": kiosk_id,
                    "site": site,
                },
            )
        )
    state = "ok" if number == 1 else "absent"
    facts.append(
        (
            "device",
            {
                "device": "身份证读卡器",
                "kind": "idcard",
                "port": "/dev/ttyUSB0",
                "state": state,
                "reads": 412,
                "faults": 0 if state == "ok" else 3,
                "disconnects": 0 if state == "ok" else 2,
                "last_error": "" if state == "ok" else "串口无响应",
                "at": datetime.now().isoformat(),
                "kiosk_id": kiosk_id,
                "site": site,
            },
        )
    )
    return facts


def _push(url: str, kiosk_id: str, key: str, facts: list[tuple[str, dict]], version: str) -> list[tuple[str, dict]]:
    """The facts as one signed push, as the kiosk's sync client sends them."""
    events = [
        {
            "event_id": str(uuid7()),
            "seq": seq,
            "kind": kind,
            "schema_v": 1,
            "wall_ms": int(time.time() * 1000),
            "payload": payload,
        }
        for seq, (kind, payload) in enumerate(facts, 1)
    ]
    body = json.dumps(
        {
            "kiosk_id": kiosk_id,
            "epoch": 1,
            "first_seq": 1,
            "last_seq": len(events),
            "client_version": version,
            "events": events,
        },
        ensure_ascii=False,
    ).encode()
    headers = {"X-Kiosk": kiosk_id, **signing.sign(key, "POST", "/v1/push", int(time.time()), body)}
    httpx.post(url + "/v1/push", content=body, headers=headers, timeout=60).raise_for_status()
    return facts


def _staff_pages(store: str) -> dict[str, str]:
    """STAFF_PAGES with the demo's party branch, a need done and a member of STAFF's with visits."""
    from peewee import fn

    from bureau.models import BureauUser, Need, Organisation, Site, Situation, Visit
    from bureau.schema import open_store
    from bureau.store import close_store

    open_store(store)
    try:
        site = Site.get(Site.code == STAFF_SITE)
        org = Organisation.get(Organisation.site == site, Organisation.kind == "branch")
        need = Need.select().where(Need.site == site, Need.status == "done").order_by(Need.start.desc()).first()
        staff = BureauUser.get(BureauUser.username == STAFF)
        most = (
            Situation.select(Situation.member_no)
            .join(Visit, on=Visit.member_no == Situation.member_no)
            .where(Situation.contact_user == staff, Situation.retired == "离休")
            .group_by(Situation.member_no)
            .order_by(fn.COUNT(Visit.id).desc(), Situation.member_no)
            .first()
        )
        keys = {"org": org.key, "need": str(need.id), "member": most.member_no}
    finally:
        close_store()
    return {name: path.format(**keys) for name, path in STAFF_PAGES.items()}


def _wait_for_rules(store: str, facts: list[tuple[str, dict]]) -> None:
    """Until the server's rules worker has turned every sign-in and device fact into its row."""
    from bureau.models import Attendance, DeviceState
    from bureau.schema import open_store
    from bureau.store import close_store

    want = (sum(kind == "signin" for kind, _ in facts), sum(kind == "device" for kind, _ in facts))
    open_store(store)
    try:
        deadline = time.monotonic() + 60
        while (Attendance.select().count(), DeviceState.select().count()) != want:
            if time.monotonic() > deadline:
                raise SystemExit("the bureau's rules did not process the demo facts within 60 s")
            time.sleep(0.1)
    finally:
        close_store()


@contextmanager
def _served(store: str, folder: Path):
    """`python -m bureau serve` on a free port of loopback, until the block ends."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "bureau", "--db", store, "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the bureau did not start: see {folder / 'server.log'}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
